"""The optional API key of `finagent mcp --http`: `Authorization: Bearer <key>`, else 401."""

from __future__ import annotations

import hmac
import ipaddress
import json

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class BearerKeyMiddleware:
    """ASGI middleware: HTTP requests must carry the key (compared in constant time). The key is
    kept private to this object: it is never logged, shown in a repr or echoed in a reply."""

    def __init__(self, app, key: str):
        if not key:
            raise ValueError("an empty API key protects nothing")
        self.app = app
        self._key = key.encode()

    def __repr__(self) -> str:
        return "BearerKeyMiddleware(key=<hidden>)"

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and not self._authorized(scope):
            await _unauthorized(send)
            return
        await self.app(scope, receive, send)

    def _authorized(self, scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name == b"authorization":
                scheme, _, token = value.partition(b" ")
                # compare_digest on both branches' inputs: no early exit that depends on the key
                return hmac.compare_digest(token.strip(), self._key) and scheme.lower() == b"bearer"
        return False


UNAUTHORIZED = -32001
"""JSON-RPC error code of the 401 body (server-defined range): MCP clients surface its message."""


async def _unauthorized(send) -> None:
    error = {"code": UNAUTHORIZED, "message": "401 Unauthorized: send the API key as 'Authorization: Bearer <key>'"}
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer realm="finagent-mcp"'),
    ]})
    await send({"type": "http.response.body", "body": body})


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the usual names of localhost."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, api_key: str | None) -> str | None:
    """The warning to give when serving on a non-loopback address without a key (else None)."""
    if api_key or is_loopback(host):
        return None
    return (f"serving MCP on {host} without an API key: anyone who can reach it can run the tools "
            "(set --api-key or FINAGENT_API_KEY)")
