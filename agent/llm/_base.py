"""`BaseLLM` (the defaults of the `LLM` contract) and `WrapperLLM` (a backend around another one)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from core.types import DEFAULT_CONTEXT_WINDOW, LLM, LLMRequest, LLMResponse, StreamChunk, stream_by_completing


class BaseLLM:
    """Subclass and implement `complete` (and `stream`, if the backend can stream).

    Defaults: `context_window` of 8192 tokens, no `base_url` (an in-process model), `stream` that
    completes then yields the whole text, `aclose` that does nothing.
    """

    model: str = ""
    context_window: int = DEFAULT_CONTEXT_WINDOW
    base_url: str | None = None
    answer_mode: str = "free"
    """How the driver asks this backend for answers by default: `free` (written freely, then checked)
    or `clauses` (every figure inside a clause computed from the data; `LLMRequest.clauses`), or
    `composed` (whole clauses joined by connectives; only where `composes`)."""
    composes: bool = False
    """Decodes `LLMRequest.connectives` answers (sentences of whole clauses) by construction."""

    async def complete(self, request: LLMRequest) -> LLMResponse:
        raise NotImplementedError

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        return stream_by_completing(self, request)

    async def aclose(self) -> None:
        return None


class WrapperLLM(BaseLLM):
    """A backend that delegates to `inner` (a cassette, a token cap, ...): override what differs.

    `model`, `context_window` and `base_url` are the inner backend's unless the wrapper sets its own.
    """

    def __init__(self, inner: LLM | None, *, model: str | None = None, context_window: int | None = None):
        self.inner = inner
        self.model = model or (inner.model if inner is not None else "")
        self.context_window = context_window or (inner.context_window if inner is not None else DEFAULT_CONTEXT_WINDOW)
        self.base_url = getattr(inner, "base_url", None)
        self.answer_mode = getattr(inner, "answer_mode", "free")
        self.composes = getattr(inner, "composes", False)

    def _require_inner(self) -> LLM:
        if self.inner is None:
            raise RuntimeError(f"{type(self).__name__} has no backend to delegate to")
        return self.inner

    async def complete(self, request: LLMRequest) -> LLMResponse:
        return await self._require_inner().complete(request)

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        return self._require_inner().stream(request)

    async def aclose(self) -> None:
        if self.inner is not None:
            await self.inner.aclose()


class CappedLLM(WrapperLLM):
    """No request asks for more than `max_tokens` tokens (put on the analysis model by the chat and
    batch runs). It does not own the model it wraps: `aclose` leaves that to its owner."""

    def __init__(self, inner: LLM, max_tokens: int):
        super().__init__(inner)
        self.max_tokens = max_tokens

    def _cap(self, request: LLMRequest) -> LLMRequest:
        return dataclasses.replace(request, max_tokens=min(request.max_tokens or self.max_tokens, self.max_tokens))

    async def complete(self, request: LLMRequest) -> LLMResponse:
        return await self._require_inner().complete(self._cap(request))

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        return self._require_inner().stream(self._cap(request))

    async def aclose(self) -> None:
        """Nothing: the cap does not own the model it wraps."""
