"""The bottom layer: provider-neutral types and the shared helpers every layer uses.

`core` imports nothing of ours (checked by import-linter in `make test`). Layers, bottom up:
core -> tools -> orchestrations -> agent.llm -> agent (driver) -> agent.cli / chat / server / replay / mcp.
"""

from .redact import REDACTED, Redactor
from .retry import retry_after_seconds, retrying
from .schema import check_strict, nullable, strict_schema
from .types import (
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

__all__ = [
    "DEFAULT_CONTEXT_WINDOW", "LLM", "LLMRequest", "LLMResponse", "Message", "StreamChunk", "ToolCall",
    "ToolChoice", "ToolSpec", "Usage", "stream_by_completing", "REDACTED", "Redactor", "retrying",
    "retry_after_seconds", "strict_schema", "check_strict", "nullable",
]
