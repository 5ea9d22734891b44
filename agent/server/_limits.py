"""Limits for a server with one model: request body size (413) and a bounded wait queue (429).

    app = BodyLimit(app, max_bytes)        # ASGI middleware, reusable by any app
    gate = Gate(max_waiting=16)            # one request on the model at a time, at most 16 waiting
    async with gate.slot():                # raises QueueFull when the queue is full
        ...
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from ._auth import send_error

__all__ = ["BodyLimit", "Gate", "QueueFull"]


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` gets 413 before the app sees it.

    The body is read (up to the limit) here and replayed to the app; later `receive` calls go to
    the client's channel, so the app still hears `http.disconnect`.
    """

    def __init__(self, app: Any, max_bytes: int):
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        too_big = f"the request body is larger than the server's limit of {self.max_bytes} bytes"
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await send_error(send, 413, too_big, "invalid_request_error", "request_too_large")
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client left before sending its body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_error(send, 413, too_big, "invalid_request_error", "request_too_large")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_length(scope: dict[str, Any]) -> int | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class QueueFull(Exception):
    """Too many requests are already waiting for the model."""

    def __init__(self, waiting: int, retry_after: int):
        super().__init__(f"the server is busy: {waiting} requests are already waiting for the model; retry in {retry_after} s")
        self.retry_after = retry_after


class Gate:
    """One holder at a time (the model), at most `max_waiting` waiting behind it.

    A waiter that is cancelled (its client left) leaves the queue at once.
    """

    def __init__(self, max_waiting: int = 16, retry_after: int = 2):
        if max_waiting < 0:
            raise ValueError("max_waiting must be >= 0")
        self.max_waiting, self.retry_after = max_waiting, retry_after
        self._lock = asyncio.Lock()
        self.waiting = 0
        self.busy = False

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._lock.locked() and self.waiting >= self.max_waiting:
            raise QueueFull(self.waiting, self.retry_after)
        self.waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self.waiting -= 1
        self.busy = True
        try:
            yield
        finally:
            self.busy = False
            self._lock.release()
