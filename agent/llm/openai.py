"""`OpenAIChat`: any OpenAI-compatible chat-completions API through the official `openai` SDK."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from typing import Any

import openai
from tenacity import AsyncRetrying

from core import Redactor, retry_after_seconds, retrying
from core.schema import without_local_hints
from core.types import LLMRequest, LLMResponse, Message, StreamChunk, ToolCall, Usage

from . import openai_format
from ._base import BaseLLM
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


class OpenAIChat(BaseLLM):
    """Chat completions with `tools`/`tool_choice`, retried with backoff, usage counted.

    Key, base URL and model come from the arguments or `OPENAI_API_KEY`, `OPENAI_BASE_URL`,
    `OPENAI_MODEL`. Retries cover 429 (honouring Retry-After), 5xx, timeouts and refused
    connections, up to `max_retries` and within `deadline` seconds in all.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 60.0,
        max_retries: int = 4,
        deadline: float = 120.0,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        context_window: int = 128_000,
        client: openai.AsyncOpenAI | None = None,
    ):
        self.model = model or os.environ.get("OPENAI_MODEL") or "gpt-4o-mini"
        key = api_key or os.environ.get("OPENAI_API_KEY") or ""
        self._redactor = Redactor(secrets=[key])
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        if client is None and not key:
            raise LLMAuthError("no API key: set OPENAI_API_KEY or pass api_key= (use --backend local to run offline)")
        self.client = client or openai.AsyncOpenAI(api_key=key, base_url=self.base_url, timeout=timeout, max_retries=0)
        self.max_retries, self.deadline = max_retries, deadline
        self.backoff, self.max_backoff = backoff, max_backoff
        self.context_window = context_window
        self.usage = Usage()

    def __repr__(self) -> str:
        return f"OpenAIChat(model={self.model!r}, base_url={self.base_url!r})"

    async def complete(self, request: LLMRequest) -> LLMResponse:
        async for attempt in self._retrying():
            with attempt:
                try:
                    raw = await self.client.chat.completions.create(**self._payload(request))
                    response = _parse(raw, self.model)
                except Exception as e:  # noqa: BLE001 - every failure is mapped to a typed LLMError
                    raise self._error(e) from None
        self.usage.add(response.usage)
        return response

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        async for attempt in self._retrying():
            with attempt:
                try:
                    stream = await self.client.chat.completions.create(
                        **self._payload(request), stream=True, stream_options={"include_usage": True}
                    )
                except Exception as e:  # noqa: BLE001
                    raise self._error(e) from None
        text: list[str] = []
        calls: dict[int, dict[str, str]] = {}
        usage, finish = Usage(requests=1), None
        try:
            async for chunk in stream:
                if getattr(chunk, "usage", None):
                    usage.prompt_tokens = chunk.usage.prompt_tokens or 0
                    usage.completion_tokens = chunk.usage.completion_tokens or 0
                for choice in chunk.choices or []:
                    delta = choice.delta
                    if delta.content:
                        text.append(delta.content)
                        yield StreamChunk(delta=delta.content)
                    for tc in delta.tool_calls or []:
                        slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                        slot["id"] = tc.id or slot["id"]
                        if tc.function is not None:
                            slot["name"] += tc.function.name or ""
                            slot["arguments"] += tc.function.arguments or ""
                    finish = choice.finish_reason or finish
        except Exception as e:  # noqa: BLE001 - a stream cut in the middle
            raise LLMConnectionError(f"the response stream from {self.base_url} broke off: {self._redact(str(e))}") from None
        if finish is None:  # the connection closed before the model said it was done
            raise LLMConnectionError(f"the response stream from {self.base_url} broke off before the end")
        tool_calls = [ToolCall(c["id"] or f"call_{i}", c["name"], c["arguments"]) for i, c in sorted(calls.items())]
        message = Message.assistant("".join(text) or None, tool_calls)
        self.usage.add(usage)
        yield StreamChunk(response=LLMResponse(message, usage, self.model, finish))

    async def aclose(self) -> None:
        await self.client.close()

    # -- helpers ---------------------------------------------------------------------------
    def _retrying(self) -> AsyncRetrying:
        return retrying(attempts=self.max_retries + 1, retry_if=lambda e: isinstance(e, LLMError) and e.retryable,
                        backoff=self.backoff, max_backoff=self.max_backoff, deadline=self.deadline)

    def _payload(self, request: LLMRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.model, "messages": [openai_format.message(m) for m in request.messages]}
        if request.tools and request.tool_choice != "none":
            payload["tools"] = [{"type": "function", "function": {**t.to_dict(), "parameters": without_local_hints(t.parameters)}} for t in request.tools]
            choice = request.tool_choice
            payload["tool_choice"] = choice if choice in ("auto", "required") else {"type": "function", "function": {"name": choice}}
        if request.temperature is not None:
            payload["temperature"] = request.temperature
        if request.max_tokens is not None:
            payload["max_tokens"] = request.max_tokens
        if request.response_format is not None:  # OpenAI's structured outputs (already their shape)
            payload["response_format"] = request.response_format
        if request.seed is not None:
            payload["seed"] = request.seed
        return payload

    def _redact(self, text: str) -> str:
        return self._redactor.text(text)

    def _error(self, e: Exception) -> LLMError:
        where = self.base_url
        if isinstance(e, LLMResponseError):
            return LLMResponseError(f"{where} sent an invalid reply ({e})")
        if isinstance(e, LLMError):
            return e
        if isinstance(e, openai.APITimeoutError):
            return LLMTimeoutError(f"{where} did not answer in time")
        if isinstance(e, openai.APIConnectionError):
            return LLMConnectionError(f"cannot reach {where}: is the server running and the URL right?")
        if isinstance(e, openai.APIStatusError):
            status = e.status_code
            body = self._redact(_short_body(e))
            if status == 429:
                return LLMRateLimitError(f"{where} is rate limiting (HTTP 429): {body}", retry_after_seconds(_header(e, "retry-after")))
            if status in (401, 403):
                return LLMAuthError(f"{where} refused the API key (HTTP {status}); check OPENAI_API_KEY")
            if status >= 500:
                return LLMServerError(f"{where} failed with HTTP {status}: {body}")
            return LLMBadRequestError(f"{where} rejected the request (HTTP {status}): {body}")
        return LLMResponseError(f"{where} sent an invalid reply ({type(e).__name__}: {self._redact(str(e))[:200]})")


def _parse(raw: Any, model: str) -> LLMResponse:
    try:
        choice = raw.choices[0]
        msg = choice.message
        calls = [ToolCall(c.id, c.function.name, c.function.arguments or "{}") for c in msg.tool_calls or []]
        u = raw.usage
        usage = Usage(getattr(u, "prompt_tokens", 0) or 0, getattr(u, "completion_tokens", 0) or 0, 1)
        return LLMResponse(Message.assistant(msg.content, calls), usage, raw.model or model, choice.finish_reason or "stop")
    except (AttributeError, IndexError, TypeError) as e:
        raise LLMResponseError(f"not a chat completion: {type(e).__name__}") from None


def _short_body(e: openai.APIStatusError) -> str:
    try:
        body = e.response.text
    except Exception:  # noqa: BLE001
        body = str(e.message)
    try:
        body = json.loads(body).get("error", {}).get("message", body)
    except (ValueError, AttributeError):
        pass
    return str(body)[:200]


def _header(e: openai.APIStatusError, name: str) -> str | None:
    return e.response.headers.get(name) if e.response is not None else None
