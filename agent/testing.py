"""Test models shipped with the package: `ScriptedLLM` replies from a script and checks its use."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any, Union

from agent.llm import DEFAULT_CONTEXT_WINDOW, BaseLLM, LLMRequest, LLMResponse, Message, StreamChunk, ToolCall, Usage

Reply = Union[str, ToolCall, list[ToolCall], LLMResponse, Exception, Callable[[LLMRequest], Any]]


_call_ids = itertools.count(1)


def call(name: str, arguments: dict[str, Any] | str | None = None, id: str | None = None) -> ToolCall:
    """A tool call for a script; `arguments` may be a dict or raw (even invalid) JSON text."""
    raw = arguments if isinstance(arguments, str) else json.dumps(arguments or {})
    return ToolCall(id or f"call_{next(_call_ids)}", name, raw)


class UnexpectedCallError(AssertionError):
    """The code under test asked the scripted model for more replies than the script has."""


class ScriptedLLM(BaseLLM):
    """An LLM that answers from a script, in order, and records every request.

    A script item is text (a plain answer), a `ToolCall` or list of them, a full `LLMResponse`,
    an exception to raise, or a function of the request returning any of those; a pydantic
    instance or a dict answers with its JSON (a structured reply, see `agent.llm.structured`).
    """

    def __init__(self, replies: list[Reply] | None = None, *, model: str = "scripted", context_window: int = DEFAULT_CONTEXT_WINDOW):
        self.replies = list(replies or [])
        self.model = model
        self.context_window = context_window
        self.requests: list[LLMRequest] = []

    def add(self, *replies: Reply) -> ScriptedLLM:
        self.replies.extend(replies)
        return self

    @property
    def remaining(self) -> int:
        return len(self.replies) - len(self.requests)

    def assert_complete(self) -> None:
        """Fail if some scripted replies were never asked for."""
        if self.remaining > 0:
            raise AssertionError(f"{self.remaining} scripted replies were not used: {self.replies[len(self.requests):]!r}")

    async def complete(self, request: LLMRequest) -> LLMResponse:
        index = len(self.requests)
        self.requests.append(replace(request, messages=list(request.messages)))  # a snapshot, not a live list
        if index >= len(self.replies):
            last = request.messages[-1].content if request.messages else ""
            raise UnexpectedCallError(f"unexpected LLM call #{index + 1} (script has {len(self.replies)}); last message: {str(last)[:200]!r}")
        reply = self.replies[index]
        if callable(reply) and not isinstance(reply, (ToolCall, LLMResponse)):
            reply = reply(request)
        return _response(reply, request, self.model)

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        response = await self.complete(request)
        for word in _words(response.text):
            yield StreamChunk(delta=word)
        yield StreamChunk(response=response)


def _response(reply: Any, request: LLMRequest, model: str) -> LLMResponse:
    if isinstance(reply, Exception):
        raise reply
    if isinstance(reply, LLMResponse):
        return reply
    prompt_tokens = sum(len((m.content or "").split()) for m in request.messages)
    if isinstance(reply, ToolCall):
        reply = [reply]
    if isinstance(reply, list):
        usage = Usage(prompt_tokens, sum(len(c.arguments.split()) for c in reply) + 1, 1)
        return LLMResponse(Message.assistant(None, reply), usage, model, "tool_calls")
    # a pydantic instance (or a dict) scripts a structured reply: its JSON text
    text = reply.model_dump_json() if hasattr(reply, "model_dump_json") else json.dumps(reply) if isinstance(reply, dict) else str(reply)
    return LLMResponse(Message.assistant(text), Usage(prompt_tokens, len(text.split()), 1), model)


def _words(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == len(words) - 1 else w + " " for i, w in enumerate(words) if w or i == len(words) - 1]


__all__ = ["ScriptedLLM", "UnexpectedCallError", "call"]
