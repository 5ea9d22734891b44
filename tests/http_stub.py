"""A real HTTP server on 127.0.0.1 that answers from a script (for wire-level backend tests)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    sse: list[Any] | None = None
    """Server-sent events: each item is JSON-dumped as `data: ...`; the stream ends with [DONE]."""
    cut_after: int | None = None
    """Close the connection after this many SSE events (a stream cut in the middle)."""


class StubServer:
    """Answers each request with the next scripted `Reply`, or, when the script is empty, with
    `respond(path, body)` if given (a server that decides from the request)."""

    def __init__(self, respond: Callable[[str, Any], Reply] | None = None) -> None:
        self.replies: deque[Reply] = deque()
        self.respond = respond
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if stub.replies:
                    reply = stub.replies.popleft()
                elif stub.respond is not None:
                    reply = stub.respond(self.path, body)
                else:
                    reply = Reply(500, {"error": {"message": "no scripted reply"}})
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.sse is not None:
                    return self._stream(reply)
                data = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
                data = data.encode() if isinstance(data, str) else data
                self.send_response(reply.status)
                self.send_header("content-type", "application/json")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("connection", "close")
                self.end_headers()
                try:
                    for i, event in enumerate(reply.sse):
                        if reply.cut_after is not None and i >= reply.cut_after:
                            self.wfile.flush()
                            self.connection.shutdown(2)
                            return
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def __enter__(self) -> StubServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def completion(content: str | None = None, tool_calls: list[tuple[str, dict]] | None = None, model: str = "stub-model") -> dict[str, Any]:
    """A chat-completions reply body in OpenAI's wire format."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [
            {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for i, (n, a) in enumerate(tool_calls)
        ]
    return {
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool_calls else "stop"}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
    }


def stream_events(text: str, model: str = "stub-model") -> list[dict[str, Any]]:
    """Chat-completion chunks streaming `text` word by word, then usage."""
    words = text.split(" ")
    chunks = [
        {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model,
         "choices": [{"index": 0, "delta": {"content": w + (" " if i < len(words) - 1 else "")}, "finish_reason": None}]}
        for i, w in enumerate(words)
    ]
    chunks.append({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model,
                   "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    chunks.append({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": model, "choices": [],
                   "usage": {"prompt_tokens": 20, "completion_tokens": len(words), "total_tokens": 20 + len(words)}})
    return chunks
