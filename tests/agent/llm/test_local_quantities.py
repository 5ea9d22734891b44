"""Numbers a request writes another way (a percentage, a number in words, a scaled amount) reach
the call as the numbers they state, with the REAL embedded model on a user's own tools."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import Message, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, calls  # noqa: E402

pytestmark = EMBEDDED_MODEL

GROWTH = ToolSpec(
    "savings_growth", "What a deposit grows to at a yearly interest rate.",
    {"type": "object", "properties": {
        "deposit": {"type": "number", "description": "The amount deposited."},
        "rate": {"type": "number", "description": "The yearly interest rate."},
        "years": {"type": "integer", "description": "How many years."}},
     "required": ["deposit", "rate", "years"], "additionalProperties": False},
)
LAKES = ToolSpec(
    "largest_lakes", "The largest lakes of a country.",
    {"type": "object", "properties": {
        "country": {"type": "string", "description": "The country."},
        "count": {"type": "integer", "description": "How many lakes to list."}},
     "required": ["country", "count"], "additionalProperties": False},
)


@pytest.fixture(scope="module")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2, context="quantities-test")


def test_a_percentage_reaches_a_rate_as_a_fraction(llm):
    made = calls(llm, [Message.user("What will $2,000 grow to at a yearly interest rate of 4% over 6 years?")], [GROWTH])
    assert made == [("savings_growth", {"deposit": 2000, "rate": 0.04, "years": 6})]


@pytest.mark.parametrize("request_text, country, count", [
    ("What are the five largest lakes in Canada?", "Canada", 5),  # was count=150000000000000
    ("Name the three biggest lakes of Finland", "Finland", 3),  # was 1000000000000000
])
def test_a_number_in_words_is_the_number(llm, request_text, country, count):
    assert calls(llm, [Message.user(request_text)], [LAKES]) == [("largest_lakes", {"country": country, "count": count})]
