"""The MCP server's side of bearer auth: a 401 in JSON-RPC's error shape, which MCP clients surface
(the auth itself is shared with `finagent serve`: agent._serving)."""

from __future__ import annotations

import json
from typing import Any

from agent._serving import BearerAuth, Send, exposure_warning

__all__ = ["protect", "exposure_warning", "UNAUTHORIZED"]

UNAUTHORIZED = -32001
"""JSON-RPC error code of the 401 body (server-defined range): MCP clients surface its message."""


def protect(app: Any, api_key: str) -> BearerAuth:
    """`app` behind the key: every HTTP request needs `Authorization: Bearer <key>`."""
    return BearerAuth(app, api_key, reject=_unauthorized)


async def _unauthorized(send: Send, message: str) -> None:
    error = {"code": UNAUTHORIZED, "message": f"401 Unauthorized: {message}"}
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": error}).encode()
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer realm="finagent-mcp"'),
    ]})
    await send({"type": "http.response.body", "body": body})
