"""The LLM protocol and its backends (one module per provider: `openai`, `llamacpp`).

The provider-neutral types live in `core.types` (the bottom layer); they are re-exported here.
"""

from core.types import (
    DEFAULT_CONTEXT_WINDOW,
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

from ._base import BaseLLM, CappedLLM, WrapperLLM
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

__all__ = [
    "BaseLLM", "CappedLLM", "WrapperLLM", "DEFAULT_CONTEXT_WINDOW", "LLM", "LLMRequest", "LLMResponse", "Message", "StreamChunk", "ToolCall", "ToolChoice",
    "ToolSpec", "Usage", "stream_by_completing", "LLMError", "LLMAuthError", "LLMBadRequestError",
    "LLMConnectionError", "LLMRateLimitError", "LLMResponseError", "LLMServerError", "LLMTimeoutError",
]
