"""A number the request does not write, with the REAL embedded model: the call stays complete and
valid (bounded digits), where the model used to write digits until the token cap cut the call."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import LLMRequest, Message, ToolSpec  # noqa: E402
from agent.llm._local.grammar import MAX_NUMBER  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL

GROWTH = ToolSpec(
    "assess_growth", "Assess the population growth of a species in a location over a duration.",
    {"type": "object", "properties": {
        "species": {"type": "string", "description": "The species"},
        "location": {"type": "string", "description": "The area"},
        "duration": {"type": "integer", "description": "The number of years"}},
     "required": ["species", "location", "duration"]},
)


def test_a_number_the_request_does_not_write_is_still_a_complete_bounded_value():
    llm = LlamaCppChat(n_threads=2, context="bounds-test")
    request = LLMRequest([Message.user("How to assess the population growth in deer in Washington state over the past decade?")],
                         [GROWTH], GROWTH.name, max_tokens=160)
    response = asyncio.run(llm.complete(request))
    assert response.finish_reason != "length"
    assert response.tool_calls
    for call in response.tool_calls:
        args = json.loads(call.arguments)
        assert isinstance(args["duration"], int) and abs(args["duration"]) <= MAX_NUMBER, call.arguments
