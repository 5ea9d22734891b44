"""`CassetteLLM`: the LLM-protocol wrapper that records through a backend or replays recordings."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import agent.llm as llm_module
from agent.llm import LLMError, LLMRequest, LLMResponse, StreamChunk, WrapperLLM

if TYPE_CHECKING:
    from ._cassette import Cassette


class CassetteLLM(WrapperLLM):
    """Implements the LLM protocol (`model`, `complete`, `stream`) over a cassette.

    Works for any backend (OpenAI-compatible HTTP, local llama.cpp, scripted): it records at the
    protocol level, so a replay needs neither network nor model file.
    """

    def __init__(self, cassette: Cassette, inner: Any, meta: dict[str, Any], *, model: str | None = None):
        recorded = meta if inner is None else {}  # a replay without a backend: the recorded figures
        super().__init__(inner, model=model or recorded.get("model"), context_window=recorded.get("context_window"))
        self.cassette = cassette
        if inner is None:
            self.answer_mode = recorded.get("answer_mode") or "free"
            self.composes = self.answer_mode == "composed"

    def __repr__(self) -> str:
        return f"CassetteLLM({self.inner!r}, cassette={str(self.cassette.path)!r}, mode={self.cassette.mode!r})"

    # -- the protocol -----------------------------------------------------------------------
    async def complete(self, request: LLMRequest) -> LLMResponse:
        c = self.cassette
        if c.recording:
            index = c.reserve_slot()
            try:
                response = await self._require_inner().complete(request)
            except LLMError as e:
                c.fill_slot(index, self._entry("complete", request, error=e))
                raise
            except BaseException:
                c.fill_slot(index, None)
                raise
            c.fill_slot(index, self._entry("complete", request, response=response))
            return response
        entry = self._lookup(request)
        if entry is None:
            return await self._require_inner().complete(request)
        _raise_recorded(entry)
        return LLMResponse.from_dict(copy.deepcopy(entry["response"]))

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        c = self.cassette
        if c.recording:
            async for chunk in self._record_stream(request):
                yield chunk
            return
        entry = self._lookup(request)
        if entry is None:
            async for chunk in self._require_inner().stream(request):
                yield chunk
            return
        deltas = entry.get("stream")
        response = entry.get("response")
        if deltas is None and response is not None:  # recorded with `complete`
            text = response.get("message", {}).get("content") or ""
            deltas = [text] if text else []
        for delta in deltas or []:
            yield StreamChunk(delta=delta)
        _raise_recorded(entry)
        if response is None:
            raise LLMError(f"{self.cassette.path}: a recorded stream has neither an error nor a response")
        yield StreamChunk(response=LLMResponse.from_dict(copy.deepcopy(response)))

    # -- helpers ----------------------------------------------------------------------------
    async def _record_stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        c = self.cassette
        index = c.reserve_slot()
        deltas: list[str] = []
        response: LLMResponse | None = None
        try:
            async for chunk in self._require_inner().stream(request):
                if chunk.delta:
                    deltas.append(chunk.delta)
                if chunk.response is not None:
                    response = chunk.response
                yield chunk
        except LLMError as e:
            c.fill_slot(index, self._entry("stream", request, deltas=deltas, error=e))
            raise
        except BaseException:  # abandoned or cancelled mid-stream: not a reproducible outcome
            c.fill_slot(index, None)
            raise
        c.fill_slot(index, self._entry("stream", request, response=response, deltas=deltas))

    def _entry(self, method: str, request: LLMRequest, *, response: LLMResponse | None = None,
               deltas: list[str] | None = None, error: LLMError | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"kind": "llm", "method": method, "model": self.model, "request": request.to_dict()}
        if response is not None:
            entry["response"] = response.to_dict()
        if deltas is not None:
            entry["stream"] = list(deltas)
        if error is not None:
            entry["error"] = {"type": type(error).__name__, "message": str(error)}
        return copy.deepcopy(entry)

    def _lookup(self, request: LLMRequest) -> dict[str, Any] | None:
        """The recording to replay, or None to run `inner` live (llm='live', or not strict)."""
        return self.cassette.take_llm(self.model or None, request.to_dict(), live_fallback=self.inner is not None)


def _raise_recorded(entry: dict[str, Any]) -> None:
    """Re-raise a recorded backend failure as the same `LLMError` subclass, with the same message."""
    error = entry.get("error")
    if not error:
        return
    cls = getattr(llm_module, str(error.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, LLMError)):
        cls = LLMError
    raise cls(error.get("message", ""))
