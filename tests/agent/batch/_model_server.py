"""A scripted OpenAI-compatible model server on 127.0.0.1 for batch tests: routes "... (SYMBOL)" questions
to `financial_health_assessment`, streams a short answer, counts requests in flight."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from tests.http_stub import Reply, StubServer, completion, stream_events


class ModelServer:
    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.lock = threading.Lock()
        self.now = self.peak = 0
        self.questions: list[str] = []
        self.stub = StubServer(respond=self._respond)

    def __enter__(self) -> ModelServer:
        self.stub.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stub.__exit__(*exc)

    @property
    def base_url(self) -> str:
        return f"{self.stub.url}/v1"

    def _respond(self, path: str, body: Any) -> Reply:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        try:
            time.sleep(self.delay)
            if body.get("tools"):  # the routing request
                question = body["messages"][-1]["content"]
                with self.lock:
                    self.questions.append(question)
                symbol = re.search(r"\(([A-Z.-]+)\)", question)
                if symbol is None:
                    return Reply(200, completion("Ask me about one company."))
                return Reply(200, completion(tool_calls=[("financial_health_assessment", {"symbol": symbol.group(1)})]))
            return Reply(200, sse=stream_events("The company looks healthy."))
        finally:
            with self.lock:
                self.now -= 1


def health_questions(symbols: list[str]) -> list[dict]:
    return [{"id": s, "question": f"How financially healthy is ({s})?"} for s in symbols]
