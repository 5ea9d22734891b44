"""A fake Financial Modeling Prep API on 127.0.0.1 (real HTTP), shared by the market and reliability tests."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeFMP:
    """Routes by path; each route answers from a list of (status, body, headers, delay), the last repeating."""

    def __init__(self) -> None:
        self.routes: dict[str, list[tuple[int, Any, dict[str, str], float]]] = {}
        self.calls: dict[str, list[dict[str, list[str]]]] = defaultdict(list)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                fake.calls[url.path].append(parse_qs(url.query))
                script = fake.routes.get(url.path) or [(404, {"message": "no route"}, {}, 0.0)]
                status, body, headers, delay = script.pop(0) if len(script) > 1 else script[0]
                if delay:
                    time.sleep(delay)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/api/v3"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def route(self, path: str, *replies: Any) -> None:
        self.routes[f"/api/{path}"] = [r if isinstance(r, tuple) and len(r) == 4 else (200, r, {}, 0.0) for r in replies]
