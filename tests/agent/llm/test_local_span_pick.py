"""A span argument's value chosen whole, with the REAL embedded model on a user's own tools: the
span the model finds likeliest as a complete value, not the one a likely first word leads to."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import Message, ToolSpec  # noqa: E402
from agent.llm._local.span_pick import _runs, likelier  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, calls  # noqa: E402

pytestmark = EMBEDDED_MODEL

RENEW = ToolSpec(
    "renew_loan", "Renew a book the member has on loan, by its loan id or title.",
    {"type": "object", "properties": {"loan": {"type": "string", "description": "The loan id or the book's title"}},
     "required": ["loan"], "additionalProperties": False},
)
SEARCH = ToolSpec(
    "search_catalogue", "Search the library catalogue by title, author or subject.",
    {"type": "object", "properties": {"query": {"type": "string", "description": "Title, author or subject"}},
     "required": ["query"], "additionalProperties": False},
)


@pytest.fixture(scope="module")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2, context="span-pick-test")


def value(llm: LlamaCppChat, text: str, tool: ToolSpec) -> str:
    ((_, arguments),) = calls(llm, [Message.user(text)], [tool], tool.name)
    return next(iter(arguments.values()))


def test_the_value_is_the_whole_name_not_where_a_likely_first_word_leads(llm):
    # decoded word by word: "The Women and show me" (the words after the title follow it)
    assert value(llm, "renew The Women and show me what else I've got checked out", RENEW) == "The Women"


def test_a_checked_value_is_still_a_span_the_pattern_allows(llm):
    assert value(llm, "Is (Piranesi) due back? Please renew it.", RENEW) in {"Piranesi", "Piranesi)"}


def test_spans_start_at_every_word_and_stay_within_their_line():
    runs = _runs("put a hold on (Dune)\nand Circe")
    assert runs[0] == ["and", "Circe"] and ["Dune)"] in runs  # the most recent line first; a leading bracket dropped
    assert ["put", "a", "hold", "on", "Dune)"] in runs and all("and" not in r for r in runs[2:])


def test_a_decoded_value_gives_way_only_to_a_clearly_likelier_span():
    scored = {"origin": ({"London": -3.3, "Oslo": -3.2, "Flights": -9.0}, {})}
    assert likelier(scored, {"origin": "London"}) == {}  # a near tie keeps the decoded value
    assert likelier(scored, {"origin": "Flights"}) == {"origin": "Oslo"}
    assert likelier(scored, {"origin": "Bergen"}) == {}  # not scored (its start was not among the likeliest)


def test_a_later_argument_is_judged_only_under_the_values_its_scoring_assumed():
    scored = {"origin": ({"Boston": -1.0, "Miami": -5.0}, {}),
              "destination": ({"Miami": -1.0, "Denver": -6.0}, {"origin": "Boston"})}
    assert likelier(scored, {"origin": "Boston", "destination": "Denver"}) == {"destination": "Miami"}
    assert likelier(scored, {"origin": "Miami", "destination": "Denver"}) == {"origin": "Boston", "destination": "Miami"}
    near = {"origin": ({"Boston": -1.0, "Miami": -2.0}, {}), "destination": scored["destination"]}
    assert likelier(near, {"origin": "Miami", "destination": "Denver"}) == {}  # origin kept, so destination's scores do not apply
