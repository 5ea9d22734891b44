"""OpenAI's chat-completions shapes of our messages and tool calls, one encoder for both sides:
`OpenAIChat` sends them, `finagent serve` answers with them."""

from __future__ import annotations

from typing import Any

from core.types import Message, ToolCall

__all__ = ["message", "tool_calls"]


def tool_calls(calls: list[ToolCall]) -> list[dict[str, Any]]:
    """`[{"id", "type": "function", "function": {"name", "arguments"}}, ...]`."""
    return [{"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}} for c in calls]


def message(m: Message) -> dict[str, Any]:
    """A request message (an assistant turn with calls sends `content: ""`: some servers reject null there)."""
    out: dict[str, Any] = {"role": m.role, "content": m.content}
    if m.tool_calls:
        out["content"] = m.content or ""
        out["tool_calls"] = tool_calls(m.tool_calls)
    if m.role == "tool":
        out["tool_call_id"] = m.tool_call_id
    return out
