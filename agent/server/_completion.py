"""One chat completion as an ASGI response: queued for the model, generated, sent (JSON or SSE),
and cancelled the moment the client disconnects.

Every request, streamed or not, consumes the backend's `stream`: closing that generator is what
stops the generation (the local backend stops at its next token). The status line is sent only
with the first piece, so a failure before any output (a schema that does not compile, a full
queue) is a proper HTTP error, and a `stop` sequence or a disconnect can end the work early.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from agent.llm import LLM, LLMBadRequestError, LLMError, LLMResponse, Message, Usage

from ._limits import Gate, QueueFull
from ._wire import ChatCall, chunk, completion, error_body, finish_reason, sse, tool_call_deltas, usage_dict

__all__ = ["Completion", "ServerStats", "StopScanner"]

log = logging.getLogger("agent.server")


@dataclass
class ServerStats:
    """Counters shown by `GET /health`."""

    served: int = 0
    failed: int = 0
    cancelled: int = 0
    rejected_busy: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"served": self.served, "failed": self.failed, "cancelled": self.cancelled, "rejected_busy": self.rejected_busy}


class ClientGone(Exception):
    """Sending to the client failed: it disconnected."""


class StopScanner:
    """Ends text at the first stop sequence; holds back a tail that may be the start of one."""

    def __init__(self, stops: list[str]):
        self.stops = stops
        self.pending = ""
        self.stopped = False

    def feed(self, delta: str) -> str:
        """The part of `delta` that is safe to send now."""
        if not self.stops:
            return delta
        text = self.pending + delta
        hits = [i for i in (text.find(s) for s in self.stops) if i >= 0]
        if hits:
            self.stopped, self.pending = True, ""
            return text[: min(hits)]
        hold = max((n for s in self.stops for n in range(1, len(s)) if text.endswith(s[:n])), default=0)
        self.pending = text[len(text) - hold:] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        out, self.pending = self.pending, ""
        return out


class Completion:
    """The ASGI response for one `POST /v1/chat/completions`."""

    def __init__(self, llm: LLM, gate: Gate, call: ChatCall, cid: str, model: str, stats: ServerStats):
        self.llm, self.gate, self.call, self.cid, self.model, self.stats = llm, gate, call, cid, model, stats
        self.started = False

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        work = asyncio.ensure_future(self._run(send))
        left = asyncio.ensure_future(_disconnected(receive))
        await asyncio.wait({work, left}, return_when=asyncio.FIRST_COMPLETED)
        if not work.done():  # the client went away: stop generating, free the model
            work.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await work
            self.stats.cancelled += 1
            log.info("%s: client disconnected, generation cancelled", self.cid)
            return
        left.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await left
        if isinstance(work.exception(), ClientGone):  # the server noticed first, while sending
            self.stats.cancelled += 1
            log.info("%s: client disconnected while sending, generation cancelled", self.cid)
            return
        work.result()

    async def _run(self, raw_send) -> None:
        async def send(message: dict[str, Any]) -> None:
            try:
                await raw_send(message)
            except OSError as e:  # uvicorn's ClientDisconnected: the client left
                raise ClientGone() from e

        try:
            async with self.gate.slot():
                await self._generate(send)
        except QueueFull as e:
            self.stats.rejected_busy += 1
            await _send_json(send, 429, error_body(str(e), "rate_limit_error", code="queue_full"),
                             [(b"retry-after", str(e.retry_after).encode())])

    async def _generate(self, send) -> None:
        call, scanner = self.call, StopScanner(self.call.stop)
        created = int(time.time())
        response: LLMResponse | None = None
        sent: list[str] = []
        pieces = 0
        try:
            async with contextlib.aclosing(self.llm.stream(call.request)) as stream:  # type: ignore[type-var]  # an async generator
                async for piece in stream:
                    if call.stream and not self.started:
                        await self._start_stream(send, created)
                    if piece.delta:
                        pieces += 1
                        text = scanner.feed(piece.delta)
                        if text:
                            sent.append(text)
                            if call.stream:
                                await send_sse(send, chunk(self.cid, self.model, created, {"content": text}))
                        if scanner.stopped:
                            break  # closing the stream stops the generation
                    if piece.response is not None:
                        response = piece.response
        except ClientGone:
            raise
        except Exception as e:  # noqa: BLE001 - every failure becomes an OpenAI-style error
            self.stats.failed += 1
            status, body = error_parts(e)
            if self.started:
                await send_sse(send, body)
                await send_sse(send, "[DONE]", more=False)
            else:
                await _send_json(send, status, body)
            return
        if scanner.stopped:
            response = LLMResponse(Message.assistant("".join(sent).strip()), Usage(0, pieces, 1), self.model, "stop")
        elif response is None:
            self.stats.failed += 1
            body = error_body("the model ended without a response", "server_error")
            if self.started:
                await send_sse(send, body)
                await send_sse(send, "[DONE]", more=False)
            else:
                await _send_json(send, 500, body)
            return
        else:
            tail = scanner.flush()
            if tail and call.stream:
                await send_sse(send, chunk(self.cid, self.model, created, {"content": tail}))
        if not call.parallel_tool_calls and len(response.tool_calls) > 1:
            response = replace(response, message=Message.assistant(response.message.content, response.tool_calls[:1]))
        self.stats.served += 1
        if call.stream:
            await self._finish_stream(send, response, created)
        else:
            await _send_json(send, 200, completion(response, self.cid, self.model))

    async def _start_stream(self, send, created: int) -> None:
        self.started = True
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"text/event-stream; charset=utf-8"), (b"cache-control", b"no-cache"),
            (b"x-accel-buffering", b"no")]})
        await send_sse(send, chunk(self.cid, self.model, created, {"role": "assistant", "content": ""}))

    async def _finish_stream(self, send, response: LLMResponse, created: int) -> None:
        if not self.started:
            await self._start_stream(send, created)
        for delta in tool_call_deltas(response.tool_calls):
            await send_sse(send, chunk(self.cid, self.model, created, delta))
        if self.call.include_usage:  # as OpenAI: usage in an extra chunk with no choices
            await send_sse(send, chunk(self.cid, self.model, created, {}, finish_reason(response)))
            await send_sse(send, {"id": self.cid, "object": "chat.completion.chunk", "created": created, "model": self.model,
                                  "choices": [], "usage": usage_dict(response.usage)})
        else:
            await send_sse(send, chunk(self.cid, self.model, created, {}, finish_reason(response), response.usage))
        await send_sse(send, "[DONE]", more=False)


async def _disconnected(receive) -> None:
    """Returns when the client disconnects (the body was already read)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


async def send_sse(send, data: dict[str, Any] | str, more: bool = True) -> None:
    await send({"type": "http.response.body", "body": sse(data).encode(), "more_body": more})


async def _send_json(send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def error_parts(e: Exception) -> tuple[int, dict[str, Any]]:
    """(HTTP status, OpenAI-style body) for a failure of the backend."""
    if isinstance(e, (LLMBadRequestError, ValueError)):
        return 400, error_body(str(e) or type(e).__name__, param=_param_of(str(e)))
    if isinstance(e, LLMError):
        return 500, error_body(f"the model failed: {e}", "server_error")
    log.exception("unexpected error from the model")
    return 500, error_body(f"internal server error: {type(e).__name__}: {e}", "server_error")


def _param_of(message: str) -> str | None:
    return "response_format" if message.startswith("response_format") else None
