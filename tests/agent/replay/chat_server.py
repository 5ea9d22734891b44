"""A real local HTTP server speaking the chat-completions wire format, deciding from the request.

Routing requests (tools offered, no tool results yet) get a tool call; anything else gets a
text answer, streamed as SSE chunks when the request says `stream: true`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.http_stub import Reply, StubServer

Decision = dict[str, Any]
"""`{"text": str}` or `{"tool_calls": [(name, arguments_dict), ...]}`."""


def default_decide(body: dict[str, Any], route: tuple[str, dict[str, Any]] | None) -> Decision:
    messages = body.get("messages") or []
    offered = [t["function"]["name"] for t in body.get("tools") or []]
    if offered and body.get("tool_choice") != "none" and not any(m.get("role") == "tool" for m in messages):
        name, arguments = route or (offered[0], {})
        return {"tool_calls": [(name, arguments)]}
    last = messages[-1].get("content") or "" if messages else ""
    return {"text": f"Based on the data ({len(last)} characters), the answer is steady growth."}


class ChatServer(StubServer):
    """`StubServer` deciding each reply from the request (see `default_decide`)."""

    def __init__(self, decide: Callable[[dict[str, Any]], Decision] | None = None, model: str = "local-test-model"):
        super().__init__(respond=self._respond)
        self.route: tuple[str, dict[str, Any]] | None = None
        self.decide = decide or (lambda body: default_decide(body, self.route))
        self.model = model
        self.base_url = f"{self.url}/v1"

    def _respond(self, path: str, body: Any) -> Reply:
        if not path.endswith("/chat/completions"):
            return Reply(404, {"error": {"message": "not found"}})
        decision = self.decide(body or {})
        if (body or {}).get("stream"):
            return Reply(sse=self.chunks(decision))
        return Reply(body=self.completion(decision))

    # -- wire format ------------------------------------------------------------------------
    def _calls(self, decision: Decision) -> list[dict[str, Any]]:
        return [
            {"id": f"call_{self.port}_{len(self.requests)}_{i}", "type": "function",
             "function": {"name": name, "arguments": json.dumps(args)}}
            for i, (name, args) in enumerate(decision.get("tool_calls") or [])
        ]

    def completion(self, decision: Decision) -> dict[str, Any]:
        calls = self._calls(decision)
        message: dict[str, Any] = {"role": "assistant", "content": decision.get("text")}
        if calls:
            message["tool_calls"] = calls
        return {
            "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": 1700000000 + len(self.requests),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {"prompt_tokens": 42, "completion_tokens": 9, "total_tokens": 51},
        }

    def chunks(self, decision: Decision) -> list[dict[str, Any]]:
        head = {"id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion.chunk", "created": 1700000000, "model": self.model}
        out = [{**head, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}]
        words = (decision.get("text") or "").split(" ") if decision.get("text") else []
        for i, word in enumerate(words):
            piece = word + (" " if i < len(words) - 1 else "")
            out.append({**head, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
        for i, call in enumerate(self._calls(decision)):
            delta = {"tool_calls": [{"index": i, "id": call["id"], "type": "function", "function": call["function"]}]}
            out.append({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        finish = "tool_calls" if decision.get("tool_calls") else "stop"
        out.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
        out.append({**head, "choices": [], "usage": {"prompt_tokens": 40, "completion_tokens": len(words), "total_tokens": 40 + len(words)}})
        return out
