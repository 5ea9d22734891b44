"""Bearer-key auth for any ASGI app (the chat server, an MCP HTTP server, ...).

    app = BearerAuth(app, api_key)                     # 401 unless `Authorization: Bearer <key>`
    key = api_key_from(args.api_key)                   # the flag, else FINAGENT_API_KEY, else None

Keys are compared in constant time (hmac.compare_digest on bytes) and never logged or echoed:
the 401 body says only that the key is missing or wrong, in OpenAI's error shape.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

__all__ = ["BearerAuth", "api_key_from", "key_matches", "exposure_warning", "ENV_VAR"]

ENV_VAR = "FINAGENT_API_KEY"
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def api_key_from(flag: str | None, env: str = ENV_VAR) -> str | None:
    """The key to require: the flag's value, else the environment variable, else None (no auth)."""
    key = flag if flag is not None else os.environ.get(env)
    key = (key or "").strip()
    return key or None


def key_matches(authorization: str | None, api_key: str) -> bool:
    """True if an `Authorization` header value carries `api_key` as a Bearer token (constant time)."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        token = ""
    return hmac.compare_digest(token.strip().encode("utf-8"), api_key.encode("utf-8"))


def exposure_warning(host: str, api_key: str | None) -> str | None:
    """A warning when `host` is reachable from other machines and no key is required."""
    if api_key:
        return None
    name = host.strip("[]")
    if name == "localhost":
        return None
    try:
        if ipaddress.ip_address(name).is_loopback:
            return None
    except ValueError:
        pass  # a host name: may resolve to anything
    return (f"WARNING: listening on {host} without an API key: anyone who can reach this port can use the model. "
            f"Pass --api-key or set {ENV_VAR}, or bind 127.0.0.1.")


class BearerAuth:
    """ASGI middleware: HTTP requests need `Authorization: Bearer <api_key>`, except `open_paths`."""

    def __init__(self, app: ASGIApp, api_key: str, *, open_paths: Iterable[str] = ("/health",)):
        if not api_key:
            raise ValueError("BearerAuth needs a non-empty API key")
        self.app = app
        self._key = api_key
        self.open_paths = frozenset(open_paths)

    def __repr__(self) -> str:  # never shows the key
        return f"BearerAuth(open_paths={sorted(self.open_paths)})"

    async def __call__(self, scope: dict[str, Any], receive, send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"authorization")
        if key_matches(header, self._key):
            await self.app(scope, receive, send)
            return
        message = ("missing API key: send 'Authorization: Bearer <key>'" if not header
                   else "incorrect API key provided")
        await send_error(send, 401, message, "invalid_request_error", "invalid_api_key",
                         extra_headers=[(b"www-authenticate", b"Bearer")])


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def send_error(send, status: int, message: str, kind: str, code: str | None = None, *,
                     extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An OpenAI-style JSON error response sent straight through ASGI."""
    body = json.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra_headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
