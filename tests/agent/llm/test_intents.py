"""Several intents: a request split into two parts, each asking for its own function (no model)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from agent.llm import Message, ToolSpec
from agent.llm._local.evidence import ExampleIndex
from agent.llm._local.intents import MIN_SPLIT_SCORE, Split, best_split, split_threshold
from agent.llm._local.policy import Evidence, RoutingPolicy
from agent.llm._local.router import Router
from tests.agent.llm.domains import CALENDAR, TRAVEL, specs
from tools import describe_with_examples

SCHEMA = {"type": "object", "properties": {"item": {"type": "string"}}, "required": ["item"], "additionalProperties": False}


def spec(name: str, description: str, examples: list[str]) -> ToolSpec:
    return ToolSpec(name, describe_with_examples(description, examples), SCHEMA)


# a user's own library desk: nothing here is finance or travel
LIBRARY = [
    spec("renew_loan", "Extend the loan period of a borrowed book.",
         ["Can I keep the novel I borrowed two more weeks?", "Please extend my loan of the cookbook",
          "Renew the book I borrowed last month", "I need more time with my borrowed book"]),
    spec("opening_hours", "When a branch of the library opens and closes.",
         ["When does the library open on Sunday?", "What time does the branch close tonight?",
          "Is the library open on public holidays?", "Opening times of the central branch"]),
    spec("reserve_room", "Reserve a study room at a branch for some hours.",
         ["Reserve a study room for three hours tomorrow", "I want to reserve a quiet room to study for my exam",
          "Book a group study room for Friday afternoon", "Is there a study room free this evening?"]),
]
LEXICAL = RoutingPolicy(model_weight=0.0)


def evidence(split: Split | None, similarity: list[float], windows: list[list[float]] | None = None,
             missing: list[bool] | None = None) -> Evidence:
    names = ["a", "b", "c"]
    return Evidence(names=names, similarity=np.array(similarity), model=np.zeros(0), text_similarity=0.0,
                    windows=np.array(windows) if windows else np.zeros((0, 3)),
                    missing=np.array(missing) if missing else None, split=split)


def test_a_clear_split_adds_the_other_part_function_in_the_order_of_the_parts():
    policy = RoutingPolicy(model_weight=0.0, split_threshold=0.1)
    # "c" is the main pick, asked in the second part: the first part's "b" comes first
    ev = evidence(Split(0.2, first=1, second=2, at=5), [0.1, 0.3, 0.6], windows=[[0.0, 0.1, 0.5], [0.0, 0.4, 0.2]])
    assert policy.decide(ev) == ["b", "c"]


def test_a_split_below_the_threshold_adds_nothing():
    policy = RoutingPolicy(model_weight=0.0, split_threshold=0.1)
    assert policy.decide(evidence(Split(0.09, first=1, second=2, at=5), [0.1, 0.3, 0.6])) == ["c"]


def test_a_split_that_misses_the_main_pick_adds_nothing():
    policy = RoutingPolicy(model_weight=0.0, split_threshold=0.1)
    assert policy.decide(evidence(Split(0.5, first=0, second=1, at=5), [0.2, 0.3, 0.6])) == ["c"]


def test_a_split_does_not_add_a_function_the_request_leaves_an_argument_missing_for():
    policy = RoutingPolicy(model_weight=0.0, split_threshold=0.1)
    ev = evidence(Split(0.3, first=2, second=0, at=5), [0.3, 0.1, 0.6], missing=[True, False, False])
    assert policy.decide(ev) == ["c"]


def test_a_split_never_calls_more_than_max_calls():
    policy = RoutingPolicy(model_weight=0.0, split_threshold=0.1, max_calls=1)
    assert policy.decide(evidence(Split(0.3, first=2, second=0, at=5), [0.3, 0.1, 0.6])) == ["c"]


def test_the_split_falls_at_the_clause_boundary_found_from_the_data():
    index = ExampleIndex([["renew the loan of a borrowed book"], ["opening times of the library branch"]])
    words = "please renew the loan of my borrowed book and tell me the opening times of the branch".split()
    split = best_split(index, 2, " ".join(words))
    assert split is not None and (split.first, split.second) == (0, 1)
    assert words.index("book") < split.at <= words.index("opening")  # between the two clauses' own words
    assert split.score > 0


def test_no_split_for_a_short_request_or_one_asking_one_thing():
    index = ExampleIndex([["renew the loan of a borrowed book"], ["opening times of the library branch"]])
    assert best_split(index, 2, "renew my book and the hours") is None  # shorter than two windows' worth
    one = best_split(index, 2, "please renew the loan of the borrowed book I have had for a while now")
    assert one is None or one.score <= 0


def test_names_weigh_nothing_in_a_part():
    # the same request with many names added to one part: the split's score does not change
    index = ExampleIndex([["renew the loan of a borrowed book"], ["opening times of the library branch"]])
    plain = best_split(index, 2, "please renew the loan of my borrowed book and tell me the opening times of the branch")
    named = best_split(index, 2, "please renew the loan of my borrowed book Dune Frank Herbert and tell me the opening times of the branch")
    assert plain is not None and named is not None
    assert abs(plain.score - named.score) < 1e-9


def test_the_threshold_splits_at_most_the_allowed_share_of_the_examples():
    scores = [0.3, 0.2, 0.12, 0.08, 0.02]
    assert split_threshold(scores, examples=40, rate=0.05) == 0.12 + 1e-6  # two of forty may split: 0.3 and 0.2
    assert split_threshold(scores, examples=10, rate=0.05) == 0.3 + 1e-6  # none of ten may
    assert split_threshold([0.01], examples=10) == MIN_SPLIT_SCORE
    assert split_threshold([], examples=0) == MIN_SPLIT_SCORE


def test_the_router_calibrates_the_split_threshold_on_the_examples():
    router = Router.build(LIBRARY, RoutingPolicy(split_threshold=0.0))
    assert router.policy.split_threshold >= MIN_SPLIT_SCORE


def travel_router() -> Router:
    """The example travel app's six orchestrations, as the agent offers them (descriptions and examples)."""
    return Router.build(specs(TRAVEL), LEXICAL)


def test_a_two_intent_request_gets_both_calls_in_the_order_asked():
    router = travel_router()
    for query, expected in [
        ("Will it rain in Dublin this week, and how much is 300 EUR in GBP?", ["weather_forecast", "currency_conversion"]),
        ("Find flights from Rome to Vienna, and what is there to do in Vienna?", ["flight_search", "things_to_do"]),
        # a part's pleasantry ("tell me") echoes the "answer in text" examples; a part is no chit-chat
        ("Find a hotel in Athens for 3 nights and tell me the weather there", ["hotel_search", "weather_forecast"]),
    ]:
        assert router.decide([Message.user(query)], None, required=False) == expected, query
        ev = router.evidence([Message.user(query)], None, required=False)
        assert len(replace(router.policy, split_threshold=math.inf).decide(ev)) == 1, query  # the split adds the call


def test_single_intent_requests_are_not_split():
    router = Router.build(LIBRARY, LEXICAL)
    everything = set(range(len(LIBRARY)))
    for query in ("Can I keep the cookbook I borrowed from the central branch for two more weeks please?",
                  "What time does the library branch near the station close on Friday evening?",
                  "I would like to reserve a quiet study room for my exam for three hours tomorrow"):
        ev = router.evidence([Message.user(query)], None, required=False)
        assert router.policy.split_parts(ev, everything) == [], query


def test_each_function_of_a_split_gets_the_part_it_was_asked_in():
    router = travel_router()
    messages = [Message.user("Will it rain in Dublin this week, and how much is 300 EUR in GBP?")]
    picks = router.decide(messages, None, required=False)
    parts = router.parts(messages, picks)
    assert set(parts) == {"weather_forecast", "currency_conversion"}
    assert "Dublin" in parts["weather_forecast"] and "300" not in parts["weather_forecast"]
    assert "300 EUR in GBP" in parts["currency_conversion"] and "Dublin" not in parts["currency_conversion"]
    assert router.parts(messages, ["weather_forecast"]) == {}  # not the split's two calls
    assert router.parts([Message.user("What's the weather going to be like in Lisbon this weekend?")], ["weather_forecast"]) == {}


def test_a_split_after_a_punctuation_mark_counts_each_clause_in_full():
    from agent.llm._local.evidence import ExampleIndex
    from agent.llm._local.intents import splits

    index = ExampleIndex([["availability", "Is a book on the shelf at a branch"], ["hours", "When does a branch open or close"],
                          ["hello", "thanks"]])
    query = "Check if Dune is on the shelf at Central, and when does Central close today"
    at_comma = [s for s in splits(index, 2, query) if query.split()[s.at - 1].endswith(",")]
    plain = [s for s in splits(index, 2, query) if not query.split()[s.at - 1].endswith(",")]
    assert at_comma and (at_comma[0].first, at_comma[0].second) == (0, 1)
    assert at_comma[0].score > 2 * max(s.score for s in plain)  # weighed by the parts' shares, it would be about as low


def test_each_part_is_measured_with_the_values_it_states_and_the_function_it_names():
    # two functions whose examples share their words: only the values a part states and the
    # function word it says tell its intent apart (a grounder's sector, a company's ticker)
    sector = ToolSpec("sector_report", describe_with_examples("A report on one sector.", ["A report on the energy sector", "Report on a sector"]),
                      {"type": "object", "properties": {"sector": {"type": "string"}}, "required": ["sector"]})
    health = ToolSpec("health_check", describe_with_examples("A report on one company's finances.", ["A report on a company", "Report on AAPL"]),
                      {"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]})
    router = Router.build([sector, health], LEXICAL)
    query = "Give me a report on the energy sector, and also a health check report on XOM please"
    grounding = {"sector_report": {"sector": ["Energy"]}, "health_check": {"symbol": ["XOM"]}}
    ev = router.evidence([Message.user(query)], None, required=False, grounding=grounding)
    assert ev.split is not None and (ev.names[ev.split.first], ev.names[ev.split.second]) == ("sector_report", "health_check")
    plain = router.evidence([Message.user(query)], None, required=False)  # nothing grounded: the name alone
    assert plain.split is None or plain.split.score < ev.split.score


def test_a_word_only_one_example_has_does_not_make_a_part_a_second_intent():
    # "a 90 minute" echoes the example "Book a 30 minute call": with its rare words weighing in
    # full, the part read as a second intent and the request also created an event
    router = Router.build(specs(CALENDAR), RoutingPolicy())
    one = "I need a 90 minute slot tomorrow morning, anything open?"
    assert router.decide([Message.user(one)], None, required=False) == ["find_free_slot"]
    two = "Book Vendor check-in tomorrow at 11am, then send the details to lee@example.org"
    assert router.decide([Message.user(two)], None, required=False) == ["create_event", "send_email"]


def test_in_a_part_a_rare_word_weighs_no_more_than_a_tenth_of_the_documents_words():
    from agent.llm._local.evidence import RARE_SHARE

    docs = [["book a thirty minute call with pat"], ["find free time tomorrow morning"]] + [[f"filler {i}", f"other {i}"] for i in range(8)]
    index = ExampleIndex(docs)
    assert index.part_idf == math.log((1 + 18) / (1 + RARE_SHARE * 18))
    whole, part = index.similarities("i need a ninety minute"), index.similarities("i need a ninety minute", part=True)
    assert 0 < part[0] < whole[0]  # "minute", which one document has, weighs less in a part
    assert index.similarities("book a call", part=True)[0] > 0
