"""The Starlette app: `POST /v1/chat/completions`, `GET /v1/models`, `GET /health` over any `LLM`."""

from __future__ import annotations

import json
import logging
import time

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agent.llm import LLM

from ._auth import BearerAuth, openai_unauthorized
from ._completion import Completion, ServerStats
from ._limits import BodyLimit, Gate
from ._wire import BadRequest, completion_id, error_body, parse_chat_request

__all__ = ["create_app", "DEFAULT_MAX_BODY", "DEFAULT_MAX_QUEUE"]

log = logging.getLogger("agent.server")

DEFAULT_MAX_BODY = 4 * 1024 * 1024
"""Bytes: far above any chat a 4k-token context can hold, far below what could hurt the server."""
DEFAULT_MAX_QUEUE = 16
"""Requests waiting for the model beyond the one it is serving; more get 429 with Retry-After."""


def create_app(llm: LLM, *, model_name: str | None = None, api_key: str | None = None,
               max_body_bytes: int = DEFAULT_MAX_BODY, max_queue: int = DEFAULT_MAX_QUEUE,
               retry_after: int = 2) -> Starlette:
    """An OpenAI-compatible app serving `llm`, one request at a time (one model).

    `api_key`: require `Authorization: Bearer <key>` (all but /health); `max_body_bytes`: larger
    bodies get 413; `max_queue`: requests allowed to wait for the model (429 beyond).
    """
    name = model_name or getattr(llm, "model", None) or "finagent-local"
    gate = Gate(max_queue, retry_after)
    stats = ServerStats()
    started = int(time.time())

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": name, "object": "model", "created": started, "owned_by": "finagent"}]})

    async def model(request: Request) -> JSONResponse:
        if request.path_params["model"] != name:
            return _error(404, f"the model {request.path_params['model']!r} does not exist; this server has {name!r}", "not_found_error")
        return JSONResponse({"id": name, "object": "model", "created": started, "owned_by": "finagent"})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "model": name, "busy": gate.busy, "waiting": gate.waiting, **stats.to_dict()})

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
        return Completion(llm, gate, call, completion_id(), name, stats)

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
    middleware = [Middleware(BearerAuth, api_key=api_key, reject=openai_unauthorized, open_paths=("/health",))] if api_key else []  # outermost: no key, no body read
    middleware.append(Middleware(BodyLimit, max_bytes=max_body_bytes))
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error, Exception: server_error})  # type: ignore[dict-item]
    app.state.llm = llm
    app.state.model_name = name
    app.state.gate = gate
    app.state.stats = stats
    return app


def _error(status: int, message: str, kind: str = "invalid_request_error", param: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind, param), status_code=status)
