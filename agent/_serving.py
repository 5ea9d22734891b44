"""What the HTTP edges (`finagent serve`, `finagent mcp --http`) share: the API key, bearer auth as
ASGI middleware, the warning for an exposed address, and running uvicorn with a clear bind error.

Keys are compared in constant time (hmac.compare_digest on bytes) and never logged or echoed.
Each edge answers a refused request in its own protocol's shape (`reject`).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

__all__ = ["ENV_VAR", "BearerAuth", "api_key_from", "key_matches", "exposure_warning", "run_uvicorn"]

ENV_VAR = "FINAGENT_API_KEY"
Send = Callable[[dict[str, Any]], Awaitable[None]]
Reject = Callable[[Send, str], Awaitable[None]]
"""Sends the 401 response, given ASGI `send` and a message that never contains the key."""


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


def exposure_warning(host: str, api_key: str | None, what: str = "the model") -> str | None:
    """A warning when `host` is reachable from other machines and no key is required (else None)."""
    if api_key:
        return None
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return None
    try:
        if ipaddress.ip_address(name).is_loopback:
            return None
    except ValueError:
        pass  # a host name: may resolve to anything
    return (f"WARNING: listening on {host} without an API key: anyone who can reach this port can use {what}. "
            f"Pass --api-key or set {ENV_VAR}, or bind 127.0.0.1.")


class BearerAuth:
    """ASGI middleware: HTTP requests need `Authorization: Bearer <api_key>`, except `open_paths`."""

    def __init__(self, app: Any, api_key: str, *, reject: Reject, open_paths: Iterable[str] = ()):
        if not api_key:
            raise ValueError("an empty API key protects nothing")
        self.app = app
        self._key = api_key
        self._reject = reject
        self.open_paths = frozenset(open_paths)

    def __repr__(self) -> str:  # never shows the key
        return f"BearerAuth(open_paths={sorted(self.open_paths)})"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.open_paths or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        header = _header(scope, b"authorization")
        if key_matches(header, self._key):
            await self.app(scope, receive, send)
            return
        what = "missing API key" if not header else "incorrect API key provided"
        await self._reject(send, f"{what}: send 'Authorization: Bearer <key>'")


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def run_uvicorn(app: Any, host: str, port: int, *, debug: bool = False,
                around: Callable[[Coroutine[Any, Any, None]], Coroutine[Any, Any, None]] | None = None) -> int:
    """Serve `app` until Ctrl-C; a port in use or a foreign address is one clear error.

    `around` wraps the serving coroutine (e.g. to run it with a data provider active).
    """
    import asyncio

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="debug" if debug else "warning",
                                           access_log=debug))
    main = server.serve()
    try:
        asyncio.run(around(main) if around else main)
    except (OSError, SystemExit):  # uvicorn exits when it cannot bind
        if server.started:
            raise
        raise RuntimeError(f"cannot listen on {host}:{port} (port in use, or not an address of this machine)") from None
    if not server.started:
        raise RuntimeError(f"cannot listen on {host}:{port} (port in use, or not an address of this machine)")
    return 0
