"""Many tools: the request's candidates are shortlisted before the prompt is built."""

from __future__ import annotations

from agent.llm import ToolSpec
from agent.llm._local.shortlist import SHORTLIST_LIMIT, SHORTLIST_SIZE, TAIL, Shortlist
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
    query = "What are the prime factors of 360?"
    assert "book_table" not in names(Shortlist.build(CATALOG, size=2).select(query))
    # a whole catalogue of allowed values is not a named value
    assert "book_table" not in names(Shortlist.build(CATALOG, size=2).select(query, {"book_table": {"city": ["a", "b", "c", "d", "e"]}}))
    shortlist = Shortlist.build(CATALOG, size=2)
    picked = names(shortlist.select(query, {"book_table": {"city": ["Oslo"]}}))
    assert "book_table" in picked
    # the grounder knows it (the application's own tool): it joins the head, kept from then on, first
    assert names(shortlist.select("What is the boiling point of water?"))[0] == "book_table"


def test_the_shortlist_never_exceeds_its_limit():
    grounding = {s.name: {"city": ["Oslo"]} for s in CATALOG}
    assert len(Shortlist.build(CATALOG).select("Oslo", grounding)) == SHORTLIST_LIMIT


def test_the_tools_routed_to_become_a_stable_head_and_the_tail_is_the_most_similar():
    shortlist = Shortlist.build(CATALOG)
    first = names(shortlist.select("Do I need an umbrella in Oslo on Sunday?"))
    assert len(first) == SHORTLIST_SIZE  # before any use: the most similar tools
    shortlist.record(["book_table"])
    shortlist.record(["forecast", "book_table"])
    weather = names(shortlist.select("Is it going to rain in Lisbon?"))
    dinner = names(shortlist.select("Reserve a table for two on Friday evening."))
    assert weather[:2] == dinner[:2] == ["book_table", "forecast"]  # the head opens every shortlist, in the order first used
    assert len(weather) <= 2 + TAIL and len(dinner) <= 2 + TAIL
    other = names(shortlist.select("What are the prime factors of 360?"))
    assert other[:2] == ["book_table", "forecast"] and any("prime" in n for n in other[2:])  # another part of the catalog: in the tail


def test_a_shortlist_s_tail_is_listed_after_the_instructions_its_head_before():
    from agent.llm._local.prompt import tools_block

    shortlist = Shortlist.build(CATALOG)
    shortlist.record(["forecast"])
    picked = shortlist.select("Is it going to rain in Lisbon? And the factorial of 12?")
    assert picked[0].name == "forecast" and shortlist.head_count(picked) == 1 and len(picked) > 1
    text = tools_block([(t, t.parameters) for t in picked[:1]], True, extra=[(t, t.parameters) for t in picked[1:]])
    head, _, tail = text.partition("More functions you can call:")
    assert "forecast" in head and all(t.name not in head and t.name in tail for t in picked[1:])


def test_the_functions_a_follow_up_continues_are_kept():
    shortlist = Shortlist.build(CATALOG, size=1)
    assert "book_table" not in names(shortlist.select("And the factorial of a number?"))
    assert "book_table" in names(shortlist.select("And the factorial of a number?", called=["book_table"]))
