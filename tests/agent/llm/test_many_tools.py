"""Sixty tools offered to the REAL embedded model: shortlisted, routed, within the context window."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import LLMRequest, Message, ToolSpec  # noqa: E402
from agent.llm._local.shortlist import SHORTLIST_LIMIT, TAIL  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL

AREA = ToolSpec("rectangle_area", "Compute the area of a rectangle from its width and height.",
                {"type": "object", "properties": {"width": {"type": "number"}, "height": {"type": "number"}},
                 "required": ["width", "height"], "additionalProperties": False})
SCHEMA = {"type": "object", "properties": {"query": {"type": "string", "description": "What to look up, in the user's words."}},
          "required": ["query"], "additionalProperties": False}
TOPICS = ["flight prices between two airports", "lyrics of a song by its title", "calories in a recipe",
          "opening hours of a museum", "translation of a sentence into French", "population of a country",
          "next bus departure at a stop", "reviews of a hotel", "definition of a medical term", "score of a football match",
          "nearest pharmacy to an address", "horoscope of a zodiac sign"]
DISTRACTORS = [ToolSpec(f"lookup_{i}_{t.split()[0]}", f"Look up the {t} (source {i}). " + "Returns a detailed record. " * 6, SCHEMA)
               for i in range(5) for t in TOPICS][:59]


async def test_sixty_tools_are_shortlisted_and_routed():
    llm = LlamaCppChat(n_threads=2, n_ctx=2048, calibrate=False)
    tools = [*DISTRACTORS[:30], AREA, *DISTRACTORS[30:]]
    assert len(tools) == 60
    request = LLMRequest([Message.user("What is the area of a rectangle 3 wide and 4 high?")], tools, "auto", max_tokens=60)
    full = llm._routing_prompt(request.messages, tools, True)
    assert len(full) > 2048  # every tool in the prompt would not fit this window
    shortlisted = llm._shortlists.select(request, tools, llm.max_calls)  # before any use: the most similar tools
    assert AREA in shortlisted and len(shortlisted) <= SHORTLIST_LIMIT
    response = await llm.complete(request)
    assert [c.name for c in response.tool_calls] == ["rectangle_area"]
    assert json.loads(response.tool_calls[0].arguments) == {"width": 3, "height": 4}
    assert response.usage.prompt_tokens == len(llm._routing_prompt(request.messages, shortlisted, True)) < 2048
    # routed to once, it opens every later shortlist of the catalog; the rest is a short tail
    again = llm._shortlists.select(LLMRequest([Message.user("And a rectangle 5 wide and 2 high?")], tools), tools, llm.max_calls)
    assert again[0] == AREA and len(again) <= 1 + TAIL
