"""The LLM protocol and its backends (one module per provider)."""

from ._errors import (
    LLMAuthError,
    LLMBadRequestError,
    LLMConnectionError,
    LLMError,
    LLMRateLimitError,
    LLMResponseError,
    LLMServerError,
    LLMTimeoutError,
)
from ._types import (
    LLM,
    LLMRequest,
    LLMResponse,
    Message,
    StreamChunk,
    ToolCall,
    ToolChoice,
    ToolSpec,
    Usage,
    stream_by_completing,
)

__all__ = [
    "LLM", "LLMRequest", "LLMResponse", "Message", "StreamChunk", "ToolCall", "ToolChoice",
    "ToolSpec", "Usage", "stream_by_completing", "LLMError", "LLMAuthError", "LLMBadRequestError",
    "LLMConnectionError", "LLMRateLimitError", "LLMResponseError", "LLMServerError", "LLMTimeoutError",
]
