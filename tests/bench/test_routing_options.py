"""`bench routing --distractors N`: unrelated tools added to every routing call, a call to one counted."""

from __future__ import annotations

import json

from agent.llm import LLMRequest, LLMResponse, Message, ToolSpec
from agent.llm._base import BaseLLM
from bench.routing import _rejected_names, distractor_specs, with_distractors

OWN = ToolSpec("own_tool", "Ours.", {"type": "object", "properties": {}})


def bfcl_file(tmp_path) -> str:
    path = tmp_path / "bfcl.json"
    rows = [{"id": "a", "function": [{"name": "f1", "description": "One.", "parameters": {"type": "dict", "properties": {}}},
                                      {"name": "f2", "description": "Two.", "parameters": {"type": "dict", "properties": {}}}]},
            {"id": "b", "function": [{"name": "f1", "description": "One again.", "parameters": {"type": "dict", "properties": {}}},
                                      {"name": "f3", "description": "Three.", "parameters": {"type": "dict", "properties": {}}}]}]
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return str(path)


def test_distractors_are_the_first_distinct_functions(tmp_path):
    assert [s.name for s in distractor_specs(bfcl_file(tmp_path), 3)] == ["f1", "f2", "f3"]
    assert [s.name for s in distractor_specs(bfcl_file(tmp_path), 2)] == ["f1", "f2"]


class Seen(BaseLLM):
    model = "seen"

    def __init__(self) -> None:
        self.requests: list[LLMRequest] = []

    async def complete(self, request: LLMRequest) -> LLMResponse:
        self.requests.append(request)
        return LLMResponse(Message.assistant("ok"))


async def test_every_request_with_tools_gets_the_distractors_after_its_own(tmp_path):
    inner = Seen()
    llm = with_distractors(inner, distractor_specs(bfcl_file(tmp_path), 3))
    await llm.complete(LLMRequest([Message.user("x")], [OWN], "auto"))
    await llm.complete(LLMRequest([Message.user("x")]))
    assert [t.name for t in inner.requests[0].tools] == ["own_tool", "f1", "f2", "f3"]
    assert inner.requests[1].tools == []  # a text request is left alone


def test_rejected_calls_name_the_function():
    class RouteRejected:
        errors = ["'f2' is not a function you can call; choose one of: own_tool", "own_tool: bad arguments"]

    assert _rejected_names([RouteRejected()]) == ["f2"]
