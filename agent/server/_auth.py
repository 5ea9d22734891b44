"""The server's side of bearer auth: refusals in OpenAI's error shape (the auth itself is shared
with the MCP server: agent._serving)."""

from __future__ import annotations

import json
from typing import Any

from agent._serving import ENV_VAR, BearerAuth, Send, api_key_from, exposure_warning, key_matches

__all__ = ["BearerAuth", "api_key_from", "key_matches", "exposure_warning", "ENV_VAR", "openai_unauthorized",
           "send_error"]


async def openai_unauthorized(send: Send, message: str) -> None:
    await send_error(send, 401, message, "invalid_request_error", "invalid_api_key",
                     extra_headers=[(b"www-authenticate", b"Bearer")])


async def send_error(send: Any, status: int, message: str, kind: str, code: str | None = None, *,
                     extra_headers: list[tuple[bytes, bytes]] | None = None) -> None:
    """An OpenAI-style JSON error response sent straight through ASGI."""
    body = json.dumps({"error": {"message": message, "type": kind, "param": None, "code": code}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra_headers or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
