"""The Starlette app: `POST /v1/chat/completions` and `GET /v1/models` over any `LLM`."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from agent.llm import LLM, LLMBadRequestError, LLMError, LLMResponse

from ._wire import (
    BadRequest, chunk, completion, completion_id, error_body, finish_reason, parse_chat_request, sse, tool_call_deltas,
)

log = logging.getLogger("agent.server")


def create_app(llm: LLM, *, model_name: str | None = None) -> Starlette:
    """An OpenAI-compatible app serving `llm`; requests are served one at a time (one model)."""
    name = model_name or getattr(llm, "model", None) or "finagent-local"
    lock = asyncio.Lock()
    started = int(time.time())

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": name, "object": "model", "created": started, "owned_by": "finagent"}]})

    async def model(request: Request) -> JSONResponse:
        if request.path_params["model"] != name:
            return _error(404, f"the model {request.path_params['model']!r} does not exist; this server has {name!r}", "not_found_error")
        return JSONResponse({"id": name, "object": "model", "created": started, "owned_by": "finagent"})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "model": name})

    async def chat_completions(request: Request):
        try:
            raw = await request.body()
            body = json.loads(raw or b"null")
        except (ValueError, UnicodeDecodeError) as e:
            return _error(400, f"the request body is not valid JSON: {e}")
        try:
            call = parse_chat_request(body)
        except BadRequest as e:
            return _error(400, str(e), param=e.param)
        cid = completion_id()
        if call.stream:
            return StreamingResponse(_stream(llm, lock, call, cid, name), media_type="text/event-stream",
                                     headers={"cache-control": "no-cache", "x-accel-buffering": "no"})
        try:
            async with lock:
                response = await llm.complete(call.request)
        except Exception as e:  # noqa: BLE001 - every failure becomes an OpenAI-style error body
            return _llm_error(e)
        return JSONResponse(completion(response, cid, name))

    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        kind = "not_found_error" if exc.status_code == 404 else "invalid_request_error"
        detail = exc.detail if exc.status_code != 404 else f"no route {request.method} {request.url.path}; use POST /v1/chat/completions or GET /v1/models"
        return _error(exc.status_code, str(detail), kind)

    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _error(500, f"internal server error: {type(exc).__name__}", "server_error")

    routes = [
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/chat/completions", chat_completions, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/v1/models/{model:path}", model, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.llm = llm
    app.state.model_name = name
    return app


async def _stream(llm: LLM, lock: asyncio.Lock, call, cid: str, model: str) -> AsyncIterator[str]:
    """SSE chunks: the role, text deltas, tool-call deltas, the finish chunk (with usage), [DONE]."""
    created = int(time.time())
    async with lock:
        response: LLMResponse | None = None
        try:
            first = True
            async for piece in llm.stream(call.request):
                if first:
                    yield sse(chunk(cid, model, created, {"role": "assistant", "content": ""}))
                    first = False
                if piece.delta:
                    yield sse(chunk(cid, model, created, {"content": piece.delta}))
                if piece.response is not None:
                    response = piece.response
            if response is None:
                raise LLMError("the model ended without a response")
            if first:
                yield sse(chunk(cid, model, created, {"role": "assistant", "content": ""}))
            for delta in tool_call_deltas(response.tool_calls):
                yield sse(chunk(cid, model, created, delta))
            if call.include_usage:  # as OpenAI: usage in an extra chunk with no choices
                yield sse(chunk(cid, model, created, {}, finish_reason(response)))
                yield sse({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                           "choices": [], "usage": completion(response, cid, model)["usage"]})
            else:
                yield sse(chunk(cid, model, created, {}, finish_reason(response), response.usage))
        except Exception as e:  # noqa: BLE001 - headers are sent: report the error in the stream
            status, body = _error_parts(e)
            yield sse(body)
        yield sse("[DONE]")


def _error_parts(e: Exception) -> tuple[int, dict[str, Any]]:
    if isinstance(e, (LLMBadRequestError, ValueError)):
        return 400, error_body(str(e) or type(e).__name__)
    if isinstance(e, LLMError):
        return 500, error_body(f"the model failed: {e}", "server_error")
    log.exception("unexpected error from the model")
    return 500, error_body(f"internal server error: {type(e).__name__}: {e}", "server_error")


def _llm_error(e: Exception) -> JSONResponse:
    status, body = _error_parts(e)
    return JSONResponse(body, status_code=status)


def _error(status: int, message: str, kind: str = "invalid_request_error", param: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind, param), status_code=status)
