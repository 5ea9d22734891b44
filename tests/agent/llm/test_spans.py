"""String arguments as spans of the conversation (`_local/spans.py`): the pattern, offline."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from agent.llm import Message, ToolCall
from agent.llm._local.spans import SpanRules, constrain_strings, conversation_text, span_pattern, without_values


def matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


def test_spans_of_the_text_match_and_nothing_else():
    p = span_pattern("Is it cold in Portland, Oregon? Ask pat@example.org.")
    assert p is not None
    for value in ("Portland", "Portland,", "Portland, Oregon", "Oregon", "pat@example.org", "cold in Portland"):
        assert matches(p, value), value
    # fragments, inventions, mangled names and joined lines are not spans
    for value in ("Portage", "example.org", "Port", "Portland Ask", "Paris", "portland", ""):
        assert not matches(p, value), value


def test_a_description_example_or_placeholder_cannot_be_written():
    p = span_pattern("Where is my order B7731?")
    assert matches(p, "B7731")
    assert not matches(p, "X100") and not matches(p, "order_id") and not matches(p, "B773")


def test_a_value_quoted_as_code_is_a_span_without_its_backticks():
    p = span_pattern("Retrieve the sequence of DNA molecule with id `DNA123`.")
    assert matches(p, "DNA123") and not matches(p, "DNA12")


def test_spans_are_capped_in_words_and_do_not_cross_lines():
    p = span_pattern("one two three four five six seven\neight nine")
    assert matches(p, "one two three four five six")
    assert not matches(p, "one two three four five six seven")
    assert not matches(p, "seven eight")


def test_conversation_text_has_user_turns_tool_results_and_earlier_values():
    call = ToolCall("c1", "hotel_search", json.dumps({"city": "Rome", "nights": 3}))
    messages = [Message.system("sys"), Message.user("Find a hotel in Rome"), Message.assistant(None, [call]),
                Message.tool(call, "Hotel Roma: 120 USD"), Message.assistant("Here you go."), Message.user("And Florence?")]
    text = conversation_text(messages)
    assert "Find a hotel in Rome" in text and "Hotel Roma: 120 USD" in text and "And Florence?" in text
    assert "sys" not in text and "Here you go." not in text  # the system prompt and the model's own prose are no source


def test_only_required_free_strings_are_constrained():
    schema = {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "e.g. Paris"},
            "unit": {"type": "string", "enum": ["c", "f"]},
            "note": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "day": {"type": "string", "format": "date"},
        },
        "required": ["city", "unit", "tags", "day"],
    }
    out = constrain_strings(schema, "^(a)$")
    props = out["properties"]
    assert props["city"] == {"type": "string", "pattern": "^(a)$", "description": "e.g. Paris"}
    assert props["tags"]["items"] == {"type": "string", "pattern": "^(a)$"}
    assert props["unit"] == schema["properties"]["unit"] and props["note"] == {"type": "string"}
    assert props["day"] == {"type": "string", "format": "date"}  # a declared normalization keeps its format
    assert constrain_strings(schema, None) is schema


def test_without_values_keeps_a_fixed_value_out_of_the_other_arguments():
    text = "Flights from Boston to Denver and from Chicago to Miami"
    p = span_pattern(text)
    schema = {"type": "object", "properties": {"origin": {"type": "string", "pattern": p}, "destination": {"type": "string", "pattern": p}}}
    out = without_values(schema, {"origin": "Chicago"}, text)
    assert out["properties"]["origin"]["pattern"] == p
    dest = out["properties"]["destination"]["pattern"]
    assert matches(dest, "Miami") and not matches(dest, "Chicago") and not matches(dest, "Chicago to Miami")


def test_a_string_marked_free_text_is_written_freely_and_remote_backends_never_see_the_mark():
    from core.schema import FREE_TEXT, without_local_hints
    from orchestrations import ReActLoop

    schema = ReActLoop.spec().parameters
    assert schema["properties"]["task"][FREE_TEXT] is True
    assert constrain_strings(schema, span_pattern("Research Apple's latest price")) == schema  # prose, not a span
    assert FREE_TEXT not in without_local_hints(schema)["properties"]["task"]


def test_an_optional_free_string_is_no_longer_than_the_conversation():
    schema = {"type": "object", "properties": {
        "to": {"type": "string"},
        "body": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The text, if dictated"},
        "cc": {"type": "string"},
        "folder": {"anyOf": [{"type": "string", "enum": ["inbox", "spam"]}, {"type": "null"}]},
    }, "required": ["to", "body"]}
    props = constrain_strings(schema, "^(a)$", longest=40)["properties"]
    assert props["body"] == {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "null"}], "description": "The text, if dictated"}
    assert props["cc"] == {"type": "string", "maxLength": 40}  # optional, left out unless stated
    assert props["folder"] == schema["properties"]["folder"]  # a choice is no free text
    assert props["to"]["pattern"] == "^(a)$"


def test_a_string_whose_description_shows_an_email_takes_the_conversations_email_addresses():
    text = "send dana@example.org an email titled Venue shortlist, cc lee@example.org"
    schema = {"type": "object", "properties": {
        "to": {"type": "string", "description": "The recipient's email address, such as pat@example.org."},
        "subject": {"type": "string", "description": "The subject line"},
        "attendees": {"type": "array", "items": {"type": "string"}, "description": "Email addresses, e.g. sam@example.org"},
    }, "required": ["to", "subject", "attendees"]}
    props = constrain_strings(schema, span_pattern(text), text=text)["properties"]
    assert matches(props["to"]["pattern"], "dana@example.org") and matches(props["to"]["pattern"], "lee@example.org")
    assert not matches(props["to"]["pattern"], "Venue shortlist") and not matches(props["to"]["pattern"], "pat@example.org")
    assert matches(props["subject"]["pattern"], "Venue shortlist")  # no example: any span
    assert matches(props["attendees"]["items"]["pattern"], "lee@example.org")
    # a value the conversation writes once is one argument's: the other addresses stay
    kept = without_values({"type": "object", "properties": {"to": props["to"]}}, {"cc": "lee@example.org"}, text)
    assert matches(kept["properties"]["to"]["pattern"], "dana@example.org") and not matches(kept["properties"]["to"]["pattern"], "lee@example.org")
    # nothing of that shape written: any span, as before
    assert constrain_strings(schema, span_pattern("email Dana"), text="email Dana")["properties"]["to"]["pattern"] == span_pattern("email Dana")


def test_a_span_never_starts_with_a_word_the_catalogs_requests_open_with():
    from agent.llm import ToolSpec
    from agent.llm._local.spans import opening_words
    spec = ToolSpec("cancel_event", "The event goes.\nExample requests:\n- Call off the planning meeting\n- Delete EV-2034", {})
    openers = opening_words([spec])
    assert openers == {"cancel", "call", "delete"}  # not the description's "The": "The Hague" stays a value
    p = span_pattern("cancel the yoga class and Call off the budget sync", rules=SpanRules(not_first=openers))
    for value in ("the yoga class", "yoga class", "off the budget sync", "class and Call off"):
        assert matches(p, value), value
    for value in ("cancel", "cancel the yoga class", "Call off the budget sync", "Call"):
        assert not matches(p, value), value


def test_without_values_keeps_the_starts_its_rules_refuse():
    text = "Book Vendor check-in tomorrow at 11am"
    rules = SpanRules(not_first=frozenset({"book"}))
    p = span_pattern(text, rules=rules)
    schema = {"type": "object", "properties": {"title": {"type": "string", "pattern": p}, "date": {"type": "string", "pattern": p}}}
    dest = without_values(schema, {"date": "tomorrow"}, text, rules)["properties"]["title"]["pattern"]
    assert matches(dest, "Vendor check-in") and not matches(dest, "Book Vendor check-in") and not matches(dest, "tomorrow")


def test_a_run_of_argument_name_words_alone_is_no_span():
    from agent.llm import ToolSpec
    from agent.llm._local.spans import name_words
    spec = ToolSpec("search_email", "Search the mailbox.", {"type": "object", "properties": {"query": {}, "folder": {}, "start_time": {}}})
    names = name_words([spec])
    assert names == {"search", "email", "query", "folder", "start", "time"}
    text = "check my spam folder for anything about a cruise at start time"
    rules = SpanRules(not_alone=names)
    p = span_pattern(text, rules=rules)
    for value in ("spam folder", "folder for anything", "cruise at start", "cruise", "spam"):
        assert matches(p, value), value
    for value in ("folder", "start time", "start", "time"):
        assert not matches(p, value), value
    # kept when the pattern is built again without a fixed value's words
    schema = {"type": "object", "properties": {"folder": {"type": "string", "pattern": p}, "query": {"type": "string", "pattern": p}}}
    again = without_values(schema, {"folder": "spam"}, text, rules)["properties"]["query"]["pattern"]
    assert matches(again, "folder for anything") and matches(again, "cruise")
    assert not matches(again, "folder") and not matches(again, "spam folder") and not matches(again, "start time")


def test_an_earlier_calls_value_keeps_its_words_and_refused_words_alone_still_make_spans():
    from agent.llm import ToolSpec
    from agent.llm._local.spans import call_values, catalog_spans, span_rules

    spec = ToolSpec("cancel_event", "Cancel an event.\nExample requests:\n- Call off the planning meeting", {"properties": {"event": {}}})
    call = ToolCall("c1", "create_event", json.dumps({"title": "Call with Dana"}))
    messages = [Message.user("set up Call with Dana"), Message.assistant(None, [call]), Message.user("cancel it")]
    assert call_values(messages) == {"Call with Dana"}
    p = catalog_spans(conversation_text(messages), span_rules([spec], messages))
    assert matches(p, "Call with Dana") and not matches(p, "cancel it") and matches(p, "it")
    # a request of refused words only: every span, not none (a free string)
    only = [Message.user("cancel event")]
    assert matches(catalog_spans("cancel event", span_rules([spec], only)), "cancel event")


def test_a_pattern_made_again_keeps_a_run_that_starts_with_two_argument_names():
    text = "start time to noon"
    rules = SpanRules(not_alone=frozenset({"start", "time", "to"}))
    p = span_pattern(text, rules=rules)
    assert matches(p, "start time to noon") and not matches(p, "start time")
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": p}, "b": {"type": "string", "pattern": p}}}
    again = without_values(schema, {"b": "nothing"}, text, rules)["properties"]["a"]["pattern"]
    assert matches(again, "start time to noon") and matches(again, "noon") and not matches(again, "start time")


EVENT = {"type": "object", "properties": {
    "title": {"type": "string", "description": "The event's name"},
    "date": {"type": "string", "description": "The day, a date such as 2025-06-12 or a weekday"},
    "start_time": {"type": "string", "description": "When it starts: 14:30, 3pm"},
}, "required": ["title", "date", "start_time"]}


def test_a_word_of_a_shape_only_another_arguments_example_shows_is_no_span_of_this_one():
    text = "Book Vendor check-in tomorrow at 11am, then email lee"
    props = constrain_strings(EVENT, span_pattern(text), text=text)["properties"]
    assert matches(props["start_time"]["pattern"], "11am") and not matches(props["start_time"]["pattern"], "tomorrow")
    assert matches(props["date"]["pattern"], "tomorrow") and matches(props["date"]["pattern"], "tomorrow at")
    assert not matches(props["date"]["pattern"], "11am") and not matches(props["date"]["pattern"], "tomorrow at 11am")
    assert not matches(props["title"]["pattern"], "11am")
    # a shaped argument keeps its shape when another value takes its words: no reading gives it "tomorrow"
    kept = without_values({"type": "object", "properties": props}, {"date": "11am"}, text)["properties"]
    assert matches(kept["start_time"]["pattern"], "11am") and not matches(kept["start_time"]["pattern"], "tomorrow")


def test_an_optional_argument_whose_own_shape_the_last_message_writes_is_written_with_it():
    schema = {"type": "object", "properties": {
        "event": {"type": "string", "description": "The event: its title or its id such as EV-2031"},
        "new_start_time": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "The new start time (14:30, 3pm)"},
    }, "required": ["event"]}
    text = "what do I have today\nlet's do the design review at 5pm instead"
    out = constrain_strings(schema, span_pattern(text), longest=80, text=text, last="let's do the design review at 5pm instead")
    assert out["required"] == ["event", "new_start_time"]
    assert matches(out["properties"]["new_start_time"]["pattern"], "5pm") and not matches(out["properties"]["new_start_time"]["pattern"], "design")
    assert not matches(out["properties"]["event"]["pattern"], "5pm")
    later = constrain_strings(schema, span_pattern(text), longest=80, text=text, last="and the budget sync?")
    assert later["required"] == ["event"] and "pattern" not in later["properties"]["new_start_time"]  # nothing of that shape: optional


def test_a_run_made_only_of_another_arguments_choices_is_no_span():
    schema = {"type": "object", "properties": {
        "query": {"type": "string", "description": "Title, author or subject"},
        "format": {"type": "string", "enum": ["any", "book", "audiobook"]},
        "folder": {"type": "string", "description": "Either 'inbox' or 'spam'"},
    }, "required": ["query", "format", "folder"]}
    text = "Is there an audiobook of Project Hail Mary in spam?"
    query = constrain_strings(schema, span_pattern(text), text=text)["properties"]["query"]["pattern"]
    assert matches(query, "Project Hail Mary") and matches(query, "an audiobook of Project Hail Mary")  # inside a longer span
    assert not matches(query, "audiobook") and not matches(query, "spam") and not matches(query, "audiobook of Project Hail Mary")
    assert not matches(query, "Project Hail Mary in spam")  # nor ends with one
    slot = {"type": "object", "properties": {"date": {"type": "string"}, "part": {"type": "string", "enum": ["any", "afternoon"]}},
            "required": ["date", "part"]}
    ask = "any time on Wednesday afternoon?"
    date = constrain_strings(slot, span_pattern(ask), text=ask)["properties"]["date"]["pattern"]
    assert matches(date, "Wednesday") and not matches(date, "Wednesday afternoon")
    own = {"type": "object", "properties": {"unit": {"type": "string", "description": "Supports 'cup', 'teaspoon'"},
                                            "to": {"type": "string", "description": "Supports 'cup', 'teaspoon'"}}, "required": ["unit", "to"]}
    assert matches(constrain_strings(own, span_pattern("cups in a teaspoon"), text="cups in a teaspoon")["properties"]["unit"]["pattern"], "teaspoon")


def test_a_span_of_several_words_does_not_end_with_a_joining_word_unless_a_clause_ends_there():
    rules = SpanRules(not_last=frozenset({"at", "for", "on", "you"}))
    text = "put Car service for Saturday at 8:30am, and Offsite planning on Friday at 10am\nHello, how are you?"
    p = span_pattern(text, rules=rules)
    for value in ("Car service", "Car service for Saturday", "Offsite planning", "Friday", "Saturday", "Hello, how are you?",
                  "how are you", "at", "for"):  # a frequent word alone stays a span ("for" is no run of several words)
        assert matches(p, value), value
    for value in ("Car service for", "Saturday at", "Offsite planning on", "Friday at", "put Car service for"):
        assert not matches(p, value), value
    # the same text without the rule: every run
    assert matches(span_pattern(text), "Car service for")
    # made again without a fixed value's words, the pattern keeps the rule
    schema = {"type": "object", "properties": {"title": {"type": "string", "pattern": p}, "date": {"type": "string", "pattern": p}}}
    again = without_values(schema, {"date": "Saturday"}, text, rules)["properties"]["title"]["pattern"]
    assert matches(again, "Car service") and not matches(again, "Car service for") and not matches(again, "Car service for Saturday")


def test_a_word_written_with_capitals_is_no_joining_word():
    p = span_pattern("play Let It Be on repeat", rules=SpanRules(not_last=frozenset({"be", "it", "on"})))
    assert matches(p, "Let It Be") and not matches(p, "Let It Be on")


def test_a_part_of_a_request_may_also_take_the_values_earlier_calls_took():
    from agent.llm._local.span_pick import with_values

    part = "and tell me the weather there"
    schema = {"type": "object", "properties": {
        "city": {"type": "string", "pattern": span_pattern(part)},
        "to": {"type": "string", "description": "An email address, e.g. pat@example.org", "pattern": "^(sam@example\\.org)$"}},
        "required": ["city", "to"]}
    out = with_values(schema, {"city": ["Athens"], "to": ["Athens"]}, part + " sam@example.org")
    assert matches(out["properties"]["city"]["pattern"], "Athens") and matches(out["properties"]["city"]["pattern"], "there")
    assert not matches(out["properties"]["city"]["pattern"], "Athens there")
    assert out["properties"]["to"] == schema["properties"]["to"]  # held to the shape its description shows



def test_values_widen_a_schemas_own_alternation_whole():
    import re

    from agent.llm._local.span_pick import with_values

    schema = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^([A-Z]{3})-(\\d{4})$"}}}
    pattern = with_values(schema, {"code": ["Athens"]}, "")["properties"]["code"]["pattern"]
    assert re.fullmatch(pattern, "Athens") and re.fullmatch(pattern, "ABC-1234") and not re.fullmatch(pattern, "ABC-Athens")


def test_a_list_item_has_no_joining_word_inside_but_between_names():
    joining = frozenset({"and", "to", "my", "of"})
    items = SpanRules(not_last=joining, whole_names=True, items=True)
    pattern = re.compile(span_pattern("add olive oil and garlic to my list", rules=items) or "")
    assert pattern.fullmatch("olive oil") and pattern.fullmatch("garlic")
    assert not pattern.fullmatch("olive oil and garlic")
    assert re.fullmatch(span_pattern("buy Pride and Prejudice and milk", rules=items) or "", "Pride and Prejudice")
    # a value that is no list item keeps them
    assert re.fullmatch(span_pattern("add olive oil and garlic to my list", rules=replace(items, items=False)) or "", "olive oil and garlic")


def test_a_span_does_not_start_with_a_name_word_written_in_lower_case():
    from agent.llm._local.spans import span_rules
    from core.types import ToolSpec

    spec = ToolSpec("play_music", "Start playing music.", {"type": "object", "properties": {"query": {"type": "string"}, "shuffle": {"type": "boolean"}}})
    rules = span_rules([spec], [])
    pattern = re.compile(span_pattern("shuffle my Focus playlist", rules=rules) or "")
    assert pattern.fullmatch("Focus") and not pattern.fullmatch("shuffle my Focus")
    # a capitalised name word is part of a name
    assert re.fullmatch(span_pattern("Play Shuffle Hill by Westgate", rules=rules) or "", "Shuffle Hill")
