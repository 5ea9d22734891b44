"""Routing evidence from descriptions and author examples, without the model."""

from __future__ import annotations

import numpy as np
import pytest

from agent.llm import Message, ToolCall, ToolSpec
from agent.llm._local.evidence import ExampleIndex, split_examples
from agent.llm._local.policy import RoutingPolicy
from agent.llm._local.router import Router, can_change, counts_named, expand, last_request, one_call_takes, windows
from tests.agent.llm.domains import CALENDAR, LIBRARY, TRAVEL, specs
from tools import describe_with_examples

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}


def spec(name: str, description: str, examples: list[str]) -> ToolSpec:
    return ToolSpec(name, describe_with_examples(description, examples), SCHEMA)


TOOLS = [
    spec("forecast", "Weather forecast for a city.",
         ["Will it rain in Lisbon tomorrow?", "How cold will it get in Oslo this weekend?", "Do I need an umbrella in Paris?"]),
    spec("book_table", "Reserve a table at a restaurant.",
         ["Get me a dinner reservation for four at eight.", "Book somewhere to eat near the station tonight.",
          "I'd like a table for two on Friday evening."]),
]
LEXICAL = RoutingPolicy(model_weight=0.0)


def test_examples_survive_the_description_round_trip():
    text = describe_with_examples("Weather forecast.", ["Rain in  Lisbon?", " ", "Cold in Oslo?"])
    assert split_examples(text) == ("Weather forecast.", ["Rain in Lisbon?", "Cold in Oslo?"])
    assert split_examples("No examples here.") == ("No examples here.", [])
    assert describe_with_examples("Plain.", []) == "Plain."


def test_a_new_tool_is_routed_by_its_authors_examples():
    router = Router.build(TOOLS, LEXICAL)
    assert router.decide([Message.user("Is an umbrella needed in Rome tomorrow?")], None, required=False) == ["forecast"]
    assert router.decide([Message.user("Please get a reservation for six people tonight.")], None, required=False) == ["book_table"]


def test_chit_chat_gets_text():
    router = Router.build(TOOLS, LEXICAL)
    for query in ("Hello! Who are you?", "Thanks, that helps a lot.", "Tell me a joke about cats."):
        assert router.decide([Message.user(query)], None, required=False) == [], query


@pytest.mark.parametrize("domain", [CALENDAR, LIBRARY, TRAVEL])
def test_small_talk_sharing_an_everyday_word_with_an_example_gets_text(domain):
    router = Router.build(specs(domain), LEXICAL)
    for query in ("what's your name?", "I'm bored", "nice one", "bye for now"):
        assert router.decide([Message.user(query)], None, required=False) == [], (domain.name, query)


def test_a_two_part_request_gets_both_functions():
    router = Router.build(TOOLS, LEXICAL)
    query = "Will it rain in Lisbon tomorrow evening, and please get me a dinner reservation for four at eight near the station."
    assert sorted(router.decide([Message.user(query)], None, required=False)) == ["book_table", "forecast"]


def test_the_window_threshold_is_calibrated_on_the_examples():
    router = Router.build(TOOLS, RoutingPolicy(window_threshold=0.0))
    assert 0.0 < router.policy.window_threshold < 1.0


def test_names_do_not_count_as_evidence():
    index = ExampleIndex([["Weather forecast for Lisbon"], ["Restaurant booking"]])
    assert np.allclose(index.similarities("Lisbon Lisbon"), 0.0)


def test_a_name_the_tools_themselves_use_counts():
    specs = [ToolSpec("walmart_products", "Vegan products at a Walmart store", {"type": "object", "properties": {}}),
             ToolSpec("safeway_products", "Vegan products at a Safeway store", {"type": "object", "properties": {}})]
    router = Router.build(specs, LEXICAL)
    assert router.decide([Message.user("Vegan food at the Walmart near Denver")], None, required=True) == ["walmart_products"]
    assert router.decide([Message.user("Vegan food at the Safeway near Denver")], None, required=True) == ["safeway_products"]


def test_windows_cover_the_request():
    words = " ".join(f"w{i}" for i in range(20))
    parts = windows(words, size=8, step=3)
    assert parts[0].startswith("w0 ") and parts[-1].endswith("w19") and all(len(p.split()) <= 8 for p in parts)
    assert windows("short one") == ["short one"] and windows("") == []


def test_last_request_sees_tool_results_after_it():
    call = ToolCall("c1", "add", '{"a":1,"b":2}')
    history = [Message.user("What is 1 plus 2?"), Message.assistant(None, [call]), Message.tool(call, "3")]
    assert last_request(history) == ("What is 1 plus 2?", True, frozenset({"add"}))
    assert last_request([Message.user("hi")]) == ("hi", False, frozenset())


def test_one_call_per_named_entity_unless_a_pick_takes_them_together():
    schemas = {"health": {"required": ["symbol"]}, "compare": {"required": ["symbol1", "symbol2"]}, "trend": {"required": ["sector"]}}
    grounding = {"health": {"symbol": ["WMT", "TGT"]}, "compare": {"symbol1": ["WMT", "TGT"], "symbol2": ["WMT", "TGT"]}}
    assert expand(["health", "trend"], schemas, grounding, 4) == [("health", {"symbol": "WMT"}), ("health", {"symbol": "TGT"}), ("trend", {})]
    assert expand(["compare", "health"], schemas, grounding, 4) == [("compare", {"symbol1": "WMT", "symbol2": "TGT"}), ("health", {})]
    three = {"compare": {"symbol1": ["WMT", "TGT", "COST"], "symbol2": ["WMT", "TGT", "COST"]}}
    assert expand(["compare"], schemas, three, 4) == [("compare", {})]  # more companies than places: the model chooses
    catalogue = {"health": {"symbol": [f"T{i}" for i in range(50)]}}
    assert expand(["health"], schemas, catalogue, 4) == [("health", {})]


def test_a_function_of_numbers_is_called_once_per_group_of_numbers_written():
    schemas = {"area": {"type": "object", "properties": {"radius": {"type": "number"}}, "required": ["radius"]},
               "rect": {"type": "object", "properties": {"w": {"type": "integer"}, "h": {"type": "integer"}}, "required": ["w", "h"]}}
    assert expand(["area"], schemas, {}, 4, [2.0, 5.0, 7.5]) == [("area", {"radius": 2}), ("area", {"radius": 5}), ("area", {"radius": 7.5})]
    assert expand(["rect"], schemas, {}, 4, [3.0, 4.0, 5.0, 6.0]) == [("rect", {"w": 3, "h": 4}), ("rect", {"w": 5, "h": 6})]
    assert expand(["rect"], schemas, {}, 4, [3.0, 4.0]) == [("rect", {})]  # one call's worth
    assert expand(["rect"], schemas, {}, 4, [3.0, 4.0, 5.0]) == [("rect", {})]  # not a whole multiple


def test_the_finance_orchestrations_ship_examples_in_their_spec():
    from orchestrations.finance import FINANCE_ORCHESTRATIONS

    for cls in FINANCE_ORCHESTRATIONS:
        description, examples = split_examples(cls.spec().description)
        assert description == cls.description and examples == cls.examples and len(examples) >= 4, cls.name


def test_a_list_argument_takes_every_named_value_in_one_call():
    schemas = {"portfolio": {"type": "object", "properties": {"sectors": {"type": "array", "items": {"type": "string"}}},
                             "required": ["sectors"]},
               "trend": {"type": "object", "properties": {"sector": {"type": "string"}}, "required": ["sector"]}}
    grounding = {"portfolio": {"sectors": ["Energy", "Utilities"]}, "trend": {"sector": ["Energy", "Utilities"]}}
    assert expand(["portfolio"], schemas, grounding, 4) == [("portfolio", {})]
    assert expand(["trend"], schemas, grounding, 4) == [("trend", {"sector": "Energy"}), ("trend", {"sector": "Utilities"})]
    assert one_call_takes(schemas["portfolio"], grounding["portfolio"]) == 2
    assert one_call_takes(schemas["trend"], grounding["trend"]) == 1
    assert one_call_takes({"required": ["a", "b"]}, {"a": ["X"], "b": ["X"]}) == 1  # one value named: one taken


def test_tools_without_examples_are_called_when_the_request_fits_and_not_otherwise():
    numbers = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}, "required": ["a", "b"]}
    city = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    specs = [ToolSpec("add", "Add two whole numbers and return their sum.", numbers),
             ToolSpec("get_weather", "Get the current weather in a city.", city)]
    router = Router.build(specs, RoutingPolicy())
    assert router.decide([Message.user("What's the weather in Paris?")], None, required=False) == ["get_weather"]
    assert router.decide([Message.user("What is 17 plus 25?")], None, required=False) == ["add"]
    assert router.decide([Message.user("Tell me a joke about cats.")], None, required=False) == []


def test_a_required_value_the_request_could_name_but_does_not_is_missing():
    schema = {"type": "object", "properties": {"symbol": {"type": "string"}, "risk": {"type": "string", "enum": ["low", "high"]},
                                               "n": {"type": "integer"}, "note": {"type": "string"}}}
    specs = [ToolSpec("company", "A company", {**schema, "required": ["symbol"]}),
             ToolSpec("portfolio", "A portfolio", {**schema, "required": ["risk"]}),
             ToolSpec("count", "A count", {**schema, "required": ["n"]}),
             ToolSpec("memo", "A memo", {**schema, "required": ["note"]})]
    router = Router.build(specs, RoutingPolicy())
    catalogue = {"company": {"symbol": [f"T{i}" for i in range(50)]}}
    ev = router.evidence([Message.user("What is a stock?")], None, False, catalogue)
    assert ev.missing.tolist() == [True, True, True, False]  # a free-text note cannot be checked: not missing
    named = router.evidence([Message.user("A low risk portfolio of 3 names, and AAPL")], None, False, {"company": {"symbol": ["AAPL"]}})
    assert named.missing.tolist() == [False, False, False, False]


def test_a_follow_up_continues_only_a_call_it_could_change():
    loans = {"type": "object", "properties": {"status": {"type": "string", "enum": ["all", "overdue", "due_soon"]}}}
    assert not can_change(loans, "can you renew Happy Place for me", [])
    assert can_change(loans, "and the overdue ones?", [])
    weather = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    assert can_change(weather, "and in Bergen?", [])
    nights = {"type": "object", "properties": {"nights": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}}
    assert can_change(nights, "make it 5", [5.0]) and not can_change(nights, "thanks!", [])


def test_a_word_only_one_function_s_name_has_names_that_function():
    from agent.llm._local.evidence import names_said

    names = ["renew_loan", "list_loans", "placeHold"]
    assert list(names_said(names, "can you renew Happy Days for me")) == [1.0, 0.0, 0.0]
    assert list(names_said(names, "show my loans")) == [1.0, 1.0, 0.0]  # "loans" starts with renew_loan's "loan" too
    assert list(names_said(["book_hotel", "book_flight"], "book it")) == [0.0, 0.0]  # a word both names have
    assert list(names_said(names, "hold it")) == [0.0, 0.0, 1.0]
    assert list(names_said(names, "Holding pattern")) == [0.0, 0.0, 1.0]  # compared on five letters


def test_the_named_function_wins_over_the_text_option_it_trailed():
    specs = [ToolSpec("renew_loan", "Renew a book on loan to push the due date back.", {"type": "object", "properties": {}}),
             ToolSpec("branch_hours", "Opening hours of a library branch.", {"type": "object", "properties": {}})]
    router = Router.build(specs, RoutingPolicy())
    ev = router.evidence([Message.user("can you renew it for me")], None, False)
    assert ev.named is not None and list(ev.named) == [1.0, 0.0]
    with_name = router.policy.relevance(ev)
    ev.named = None
    assert with_name[0] - router.policy.relevance(ev)[0] == pytest.approx(router.policy.name_weight)


def test_a_polite_request_for_a_tool_is_no_chit_chat():
    router = Router.build(specs(LIBRARY), RoutingPolicy())
    assert router.decide([Message.user("Can you recommend some historical fiction?")], None, False) == ["recommend_books"]
    assert router.decide([Message.user("What can you do?")], None, False) == []


def test_a_request_for_another_function_is_no_follow_up_of_the_last_one():
    router = Router.build(specs(TRAVEL), RoutingPolicy())
    earlier = ToolCall("c1", "hotel_search", '{"city": "Lisbon", "nights": 2}')
    history = [Message.user("Find a hotel in Lisbon for 2 nights"), Message.assistant(None, [earlier]),
               Message.tool(earlier, "(shown)"), Message.assistant("Lisbon Hostel, $44 a night.")]
    assert router.decide([*history, Message.user("Convert 300 EUR to USD")], None, False) == ["currency_conversion"]
    assert router.decide([*history, Message.user("And in Porto?")], None, False) == ["hotel_search"]


def test_a_word_the_examples_open_with_and_the_description_writes_asks_for_the_function():
    from agent.llm._local.evidence import asking_words, names_said

    calendar = specs(CALENDAR)
    asking = dict(zip([s.name for s in calendar], asking_words([(s.name, s.description) for s in calendar])))
    # "Move my dentist appointment to Thursday" / "Move an existing calendar event ...": move;
    # create_event's examples open with words its description does not write (schedule, book, put, set)
    assert asking["reschedule_event"] == {"move", "reschedule"} and asking["cancel_event"] == {"cancel", "delete"}
    assert asking["create_event"] == frozenset()
    assert "find" not in asking["find_free_slot"]  # search_email's examples open with it too
    assert list(names_said(["reschedule_event", "cancel_event"], "actually, move it to 6pm",
                           [asking["reschedule_event"], asking["cancel_event"]])) == [1.0, 0.0]
    # a tool without examples asks by its name only
    assert asking_words([("get_weather", "The weather in a city."), ("get_time", "The time.")]) == [frozenset(), frozenset()]


def test_a_follow_up_that_asks_for_another_function_goes_there():
    router = Router.build(specs(CALENDAR), RoutingPolicy())
    created = ToolCall("c1", "create_event", '{"title": "Piano lesson", "date": "Friday", "start_time": "5pm"}')
    history = [Message.user("Put Piano lesson on Friday at 5pm"), Message.assistant(None, [created]),
               Message.tool(created, "New event EV-2041"), Message.assistant("Done.")]
    assert router.decide([*history, Message.user("actually, move it to 6pm")], None, required=False) == ["reschedule_event"]
    assert router.decide([*history, Message.user("and one on Saturday too?")], None, required=False) == ["create_event"]


def test_a_word_of_a_choice_only_one_function_offers_asks_for_it():
    from agent.llm._local.router import _offered

    offers = dict(zip([s.name for s in specs(TRAVEL)], _offered(specs(TRAVEL))))
    assert {"museums", "nightlife"} <= offers["things_to_do"]  # its category's values
    library = dict(zip([s.name for s in specs(LIBRARY)], _offered(specs(LIBRARY))))
    assert "ebook" in library["search_catalogue"]
    assert "book" not in library["search_catalogue"]  # every library tool's description says "book"
    calendar = dict(zip([s.name for s in specs(CALENDAR)], _offered(specs(CALENDAR))))
    assert "any" not in calendar["find_free_slot"] and "afternoon" in calendar["find_free_slot"]  # "any" is the default
    router = Router.build(specs(TRAVEL), RoutingPolicy())
    evidence = router.evidence([Message.user("Any museums worth visiting in Florence?")], None, required=False)
    assert evidence.named[router.names.index("things_to_do")] == 1.0
    assert router.boost({})("Any museums worth visiting")[router.names.index("things_to_do")] == 0.0  # a part: choices alone do not split


VOLUME = {"type": "object", "properties": {"level": {"type": "integer", "minimum": 0, "maximum": 100}}, "required": ["level"]}
TIMER = {"type": "object", "properties": {"minutes": {"type": "integer", "minimum": 1, "maximum": 240}}, "required": ["minutes"]}
SEARCH = {"type": "object", "properties": {"query": {"type": "string"}, "year": {"type": ["integer", "null"]}}, "required": ["query"]}
PLAYER = [ToolSpec("set_volume", describe_with_examples("Set how loud the music plays.", ["Set the volume to 40", "Make it quieter, volume 20"]), VOLUME),
          ToolSpec("sleep_timer", describe_with_examples("Stop the music after a while.", ["Stop the music in 30 minutes"]), TIMER),
          ToolSpec("search_music", describe_with_examples("Search the catalogue.", ["Find songs by Adele", "Look up Oasis"]), SEARCH)]


def test_a_number_beside_a_word_of_a_number_argument_s_name_names_its_function():
    assert counts_named(TIMER, "make it 10 minutes instead") and counts_named(TIMER, "a 45 min break")
    assert not counts_named(TIMER, "make it 10 instead") and not counts_named(VOLUME, "make it 10 minutes instead")
    price = {"type": "object", "properties": {"min_price": {"type": "number"}}}
    assert not counts_named(price, "set a timer for 10 minutes")  # the unit is a name's last word
    router = Router.build(PLAYER, LEXICAL)
    call = ToolCall("c1", "sleep_timer", '{"minutes": 30}')
    history = [Message.user("sleep timer for 30 minutes"), Message.assistant("", [call]), Message.tool(call, "ok"), Message.assistant("Done.")]
    assert router.decide([*history, Message.user("make it 10 minutes instead")], None, required=False) == ["sleep_timer"]


def test_a_number_out_of_an_argument_s_bounds_states_no_value_for_it():
    router = Router.build(PLAYER, LEXICAL)
    ev = router.evidence([Message.user("set the volume to 1959")], None, required=False)
    assert ev.missing[0] and not ev.fit[0]
    ev = router.evidence([Message.user("set the volume to 45")], None, required=False)
    assert not ev.missing[0] and ev.fit[0] == 1.0
    real = [ToolSpec("set_volume", "Set the volume.", {**VOLUME, "properties": {"level": {"type": "number", "minimum": 0, "maximum": 100}}})]
    assert Router.build(real, LEXICAL).evidence([Message.user("set the volume to 1959")], None, required=False).missing[0]
    rate = [ToolSpec("set_rate", "Set the rate.", {"type": "object", "properties": {"rate": {"type": "number", "maximum": 1}}, "required": ["rate"]})]
    assert not Router.build(rate, LEXICAL).evidence([Message.user("set the rate to 5%")], None, required=False).missing[0]
    call = ToolCall("c1", "search_music", '{"query": "jazz"}')
    history = [Message.user("search for jazz"), Message.assistant("", [call]), Message.tool(call, "[]"), Message.assistant("None.")]
    assert router.decide([*history, Message.user("only the ones from 1959")], None, required=False) == ["search_music"]
