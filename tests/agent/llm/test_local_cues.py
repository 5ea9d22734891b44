"""Arguments cued by their names, with the REAL embedded model on a user's own tools: "to USD" is
the target currency, although the model, left alone, writes the two currencies crossed."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import Message, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import LIBRARY, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, calls  # noqa: E402

pytestmark = EMBEDDED_MODEL

CONVERT = ToolSpec(
    "currency_conversion", "Convert an amount of money from one currency to another at today's rate.",
    {"type": "object", "properties": {
        "amount": {"type": "number", "description": "The amount of money to convert"},
        "from_currency": {"type": "string", "description": "Currency of the amount, an ISO code like USD"},
        "to_currency": {"type": "string", "description": "Currency to convert into, an ISO code like EUR"}},
     "required": ["amount", "from_currency", "to_currency"], "additionalProperties": False},
)


@pytest.fixture(scope="module")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2, context="cues-test")


def arguments(llm: LlamaCppChat, text: str) -> dict:
    ((_, args),) = calls(llm, [Message.user(text)], [CONVERT], CONVERT.name)
    return args


def test_the_currency_after_to_is_the_target(llm):
    assert arguments(llm, "Convert 300 EUR to USD") == {"amount": 300, "from_currency": "EUR", "to_currency": "USD"}


def test_a_request_without_a_cue_is_left_to_the_model(llm):
    # no value follows a word of a name: the call is the model's own (both currencies, one each)
    args = arguments(llm, "How many yen (JPY) do I get for 120 GBP?")
    assert {args["from_currency"], args["to_currency"]} == {"JPY", "GBP"}


def test_the_value_before_the_last_word_of_a_name_is_that_argument_s(llm):
    # on the library domain, as a user writes it: "the Westgate branch" is the branch; left alone,
    # the model makes Westgate the title
    agent = agent_on(llm, LIBRARY)
    outcome = asyncio.run(agent.route("Could you check whether the Westgate branch has Lessons in Chemistry?", agent.new_session()))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [
        ("check_availability", {"title": "Lessons in Chemistry", "branch": "Westgate"})]
    # the value moved by the cue leaves the title to the likeliest other whole span, not "check"
    long = ("Hi! My book club is reading Demon Copperhead next month and I don't own it. "
            "Could you check whether the Westgate branch has a copy I could grab this week?")
    outcome = asyncio.run(agent.route(long, agent.new_session()))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [
        ("check_availability", {"title": "Demon Copperhead", "branch": "Westgate"})]
