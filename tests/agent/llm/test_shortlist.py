"""Many tools: the request's candidates are shortlisted before the prompt is built."""

from __future__ import annotations

from agent.llm import ToolSpec
from agent.llm._local.shortlist import SHORTLIST_LIMIT, SHORTLIST_SIZE, Shortlist
from tools import describe_with_examples

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}
OWN = [
    ToolSpec("forecast", describe_with_examples("Weather forecast for a city.", [
        "Will it rain in Lisbon tomorrow?", "Do I need an umbrella in Paris?"]), SCHEMA),
    ToolSpec("book_table", describe_with_examples("Reserve a table at a restaurant.", [
        "Get me a dinner reservation for four at eight.", "I'd like a table for two on Friday evening."]), SCHEMA),
]
TOPICS = ["prime factors of an integer", "area of a triangle from its sides", "boiling point of a compound",
          "protein sequence of a gene", "velocity of a falling object", "entropy change of a gas",
          "electric field of a point charge", "shortest driving route between towns", "factorial of a number",
          "roots of a quadratic equation"]
DISTRACTORS = [ToolSpec(f"tool_{i}_{topic.split()[0]}", f"Compute the {topic} (variant {i}).", SCHEMA)
               for i in range(5) for topic in TOPICS]
CATALOG = [*OWN, *DISTRACTORS]


def names(specs: list[ToolSpec]) -> list[str]:
    return [s.name for s in specs]


def test_the_fitting_tool_is_shortlisted_among_sixty():
    shortlist = Shortlist.build(CATALOG)
    picked = shortlist.select("Is an umbrella needed in Rome tomorrow?")
    assert "forecast" in names(picked)
    assert len(picked) == SHORTLIST_SIZE
    assert names(picked) == [s.name for s in CATALOG if s in picked]  # the order offered: a stable prompt prefix


def test_a_two_part_request_keeps_the_tools_of_both_parts():
    picked = names(Shortlist.build(CATALOG, size=3).select(
        "Will it rain in Lisbon tomorrow evening, and please get me a dinner reservation for four at eight near the station."))
    assert {"forecast", "book_table"} <= set(picked)


def test_a_tool_whose_grounded_value_the_request_names_is_kept():
    shortlist = Shortlist.build(CATALOG, size=2)
    query = "What are the prime factors of 360?"
    assert "book_table" not in names(shortlist.select(query))
    picked = names(shortlist.select(query, {"book_table": {"city": ["Oslo"]}}))
    assert "book_table" in picked
    # a whole catalogue of allowed values is not a named value
    assert "book_table" not in names(shortlist.select(query, {"book_table": {"city": ["a", "b", "c", "d", "e"]}}))


def test_the_shortlist_never_exceeds_its_limit():
    grounding = {s.name: {"city": ["Oslo"]} for s in CATALOG}
    assert len(Shortlist.build(CATALOG).select("Oslo", grounding)) == SHORTLIST_LIMIT
