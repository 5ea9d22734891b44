"""Grammar preparation for the local backend (no model needed): grounding, caps, $ref, descriptions."""

from __future__ import annotations

import enum
import json

from pydantic import BaseModel, Field

from agent.llm import ToolSpec
from agent.llm._local.grammar import MAX_ITEMS, grounded_schema, resolve
from agent.llm._local.prompt import describe_type, tools_block, NONE_NAME
from tools import strict_schema


class Sector(str, enum.Enum):
    energy = "energy"
    health = "health care"
    tech = "information technology"


class Window(BaseModel):
    start: int = Field(ge=1990, le=2100)
    end: int | None = None


class Params(BaseModel):
    symbol: str = Field(description="Ticker")
    peers: list[str] = Field(default_factory=list)
    sector: Sector | None = None
    window: Window
    mode: str = "fast"


SCHEMA = strict_schema(Params.model_json_schema())


def test_grounding_turns_a_string_into_an_enum_and_keeps_null_when_nullable():
    s = grounded_schema(SCHEMA, {"symbol": ["AAPL", "MSFT"], "mode": ["fast"]})
    assert s["properties"]["symbol"]["enum"] == ["AAPL", "MSFT"]
    assert s["properties"]["symbol"]["description"] == "Ticker"
    mode = s["properties"]["mode"]
    assert {"type": "null"} in mode["anyOf"] and mode["anyOf"][0]["enum"] == ["fast"]
    assert SCHEMA["properties"]["symbol"] == {"type": "string", "description": "Ticker"}  # input untouched


def test_grounding_an_array_restricts_its_items():
    s = grounded_schema(SCHEMA, {"peers": ["KO", "PEP"]})
    peers = s["properties"]["peers"]
    inner = peers["anyOf"][0] if "anyOf" in peers else peers
    assert inner["items"]["enum"] == ["KO", "PEP"]


def test_grounding_a_ref_enum_intersects_case_insensitively():
    s = grounded_schema(SCHEMA, {"sector": ["Energy", "crypto"]})
    assert s["properties"]["sector"]["anyOf"][0]["enum"] == ["energy"]
    s = grounded_schema(SCHEMA, {"sector": ["crypto"]})  # nothing valid: the schema's own values stay
    assert s["properties"]["sector"]["anyOf"][0]["enum"] == [e.value for e in Sector]


def test_empty_or_unknown_grounding_changes_nothing_but_caps():
    s = grounded_schema(SCHEMA, {"symbol": [], "nope": ["x"]})
    assert s["properties"]["symbol"] == SCHEMA["properties"]["symbol"]
    assert "nope" not in s["properties"]


def test_arrays_get_a_max_items_cap():
    s = grounded_schema({"type": "object", "properties": {"xs": {"type": "array", "items": {"type": "integer"}}}}, None)
    assert s["properties"]["xs"]["maxItems"] == MAX_ITEMS
    s = grounded_schema({"type": "object", "properties": {"xs": {"type": "array", "maxItems": 3}}}, None)
    assert s["properties"]["xs"]["maxItems"] == 3


def test_resolve_follows_defs():
    assert resolve({"$ref": "#/$defs/Window"}, SCHEMA)["type"] == "object"


def test_tool_block_describes_arguments_and_the_none_option():
    spec = ToolSpec("analyse", "Analyse a company.", SCHEMA)
    text = tools_block([(spec, grounded_schema(SCHEMA, {"symbol": ["AAPL"]}))], offer_none=True)
    assert "- analyse: Analyse a company." in text and 'one of "AAPL"' in text and NONE_NAME in text
    assert "$tools" not in text and "$none" not in text
    text = tools_block([(spec, SCHEMA)], offer_none=False)
    assert NONE_NAME not in text and "Hello! Who are you?" not in text


def test_describe_type_handles_nullable_bounds_and_nested():
    window = describe_type(SCHEMA["properties"]["window"], SCHEMA)
    assert "integer 1990..2100" in window and "null" in window
    assert json.loads(describe_type({"const": "x"}, {})) == "x"


# -- copy grounding and optional arguments (agent.llm.llamacpp helpers, no model needed) ---
def _helpers():
    import pytest

    pytest.importorskip("llama_cpp")
    from agent.llm._local import arguments

    return arguments


def test_numbers_in_reads_signs_decimals_exponents_and_thousands():
    h = _helpers()
    assert h.numbers_in("a = 3, b = -11, $20,000, 9.8 m/s and 1e-9 C; 3 again") == [3.0, -11.0, 20000.0, 9.8, 1e-09]


def test_required_numbers_and_enums_are_grounded_in_the_request():
    h = _helpers()
    schema = {"type": "object", "required": ["n", "sector", "sectors"], "properties": {
        "n": {"type": "integer", "minimum": 1, "maximum": 20},
        "opt": {"type": "number"},
        "sector": {"type": "string", "enum": ["Energy", "Health Care", "Financials"]},
        "sectors": {"type": "array", "items": {"type": "string", "enum": ["Energy", "Health Care", "Utilities"]}},
    }}
    text = "Top 5 healthcare names, 2.5% yield, 2020"
    out = h.ground_numbers(schema, h.numbers_in(text), text)
    assert out["properties"]["n"]["enum"] == [5]  # 2.5 is not an integer, 2020 is out of range
    assert out["properties"]["opt"] == {"type": "number", "enum": [5, 2.5, 2020]}  # optional: a number written (or left out)
    assert out["properties"]["sector"]["enum"] == ["Health Care"]
    assert out["properties"]["sectors"]["enum"] == [["Health Care"]]  # a list: the choices named, each once
    # nothing stated: the schema is kept
    assert h.ground_numbers(schema, [], "hello")["properties"]["sector"]["enum"] == ["Energy", "Health Care", "Financials"]
    # an optional number nothing states is left out (the 135M model wrote "days": 1234567890... to the cap)
    assert "opt" not in h.ground_numbers(schema, [], "hello")["properties"]
    # a nullable optional number (strict schemas): a number written, or null (the default)
    strict = {"type": "object", "required": ["days"], "properties": {"days": {"anyOf": [{"type": "integer"}, {"type": "null"}]}}}
    assert h.ground_numbers(strict, [7.0], "next 7 days")["properties"]["days"] == {"anyOf": [{"type": "integer", "enum": [7]}, {"type": "null"}]}
    assert h.ground_numbers(strict, [], "the weather in Oslo")["properties"]["days"] == {"type": "null"}


def test_an_enum_value_is_named_by_its_words_in_order_at_most_one_word_apart():
    h = _helpers()
    schema = {"type": "object", "required": [], "properties": {
        "status": {"type": "string", "enum": ["all", "overdue", "due_soon"], "default": "all"}}}
    assert h.ground_numbers(schema, [], "what's due back soon?")["properties"]["status"]["enum"] == ["due_soon"]
    assert h.ground_numbers(schema, [], "is anything due this week, soon?")["properties"]["status"] == schema["properties"]["status"]


def test_an_optional_enum_takes_the_value_the_last_message_names_when_the_conversation_names_several():
    h = _helpers()
    schema = {"type": "object", "required": [], "properties": {
        "status": {"type": "string", "enum": ["all", "overdue", "due_soon"], "default": "all"}}}
    conversation = "show me my overdue loans\noverdue\nwhat's due back soon?"
    assert "status" not in h.ground_numbers(schema, [], conversation).get("required", [])  # two named: the model decides
    out = h.ground_numbers(schema, [], conversation, last="what's due back soon?")
    assert out["properties"]["status"]["enum"] == ["due_soon"] and "status" in out["required"]


def test_a_follow_up_keeps_an_enum_value_its_request_names_with_a_word_between():
    from agent.llm._local import cleanup
    args = cleanup.inherit_arguments('{"status":"due_soon"}', {"status": "all"}, "what's due back soon?")
    assert json.loads(args) == {"status": "due_soon"}
    assert json.loads(cleanup.inherit_arguments('{"status":"overdue"}', {"status": "all"}, "and the rest?")) == {"status": "all"}


def test_unstated_optional_arguments_are_left_out_or_nulled():
    from agent.llm._local import cleanup
    schema = {"type": "object", "required": ["symbol", "horizon", "kind"], "properties": {
        "symbol": {"type": "string"},
        "horizon": {"anyOf": [{"type": "string", "enum": ["short-term", "long-term"]}, {"type": "null"}]},
        "kind": {"anyOf": [{"type": "string", "const": "full"}, {"type": "null"}]},
        "unit": {"type": "string"}, "flag": {"type": "boolean"}, "n": {"type": "number"},
    }}
    args = '{"symbol":"ZZZ","horizon":"long-term","kind":"full","unit":"inches","flag":false,"n":9.8}'
    out = json.loads(cleanup.drop_unsupported_optionals(args, schema, "A long term view, 9.8 m"))
    assert out == {"symbol": "ZZZ", "horizon": "long-term", "kind": "full", "n": 9.8}
    out = json.loads(cleanup.drop_unsupported_optionals(args, schema, "Anything else"))
    assert out == {"symbol": "ZZZ", "horizon": None, "kind": "full"}


def test_an_optional_value_joining_the_request_s_words_is_not_stated():
    from agent.llm._local import cleanup
    schema = {"type": "object", "required": ["title"], "properties": {"title": {"type": "string"}, "branch": {"type": "string"}}}
    text = "what about Children of Dune?"
    assert json.loads(cleanup.drop_unsupported_optionals('{"title":"Dune","branch":"ChildrenOfDune"}', schema, text)) == {"title": "Dune"}
    kept = '{"title":"Dune","branch":"children of dune"}'
    assert cleanup.drop_unsupported_optionals(kept, schema, text) == kept  # written so, with any case


def test_free_text_repeats_are_discouraged():
    import numpy as np

    from agent.llm._local.engine import _discourage_repeats

    logits = np.array([5.0, 4.0, 3.0, -1.0, 0.5], dtype=np.float32)
    generated = [0, 1, 2, 0, 1]  # "0 1 2" then "0 1": writing 2 again would repeat a 3-gram
    out = _discourage_repeats(logits, generated, penalty=1.0, ngram=3)
    assert out[2] == -np.inf and out[0] == 5.0 and logits[2] == 3.0  # banned in a copy only
    penalised = _discourage_repeats(logits, [0, 3], penalty=2.0, ngram=0)
    assert penalised[0] == 2.5 and penalised[3] == -2.0 and penalised[1] == 4.0


def test_an_optional_number_may_not_reuse_a_number_written_once():
    from agent.llm._local.cleanup import drop_unsupported_optionals

    schema = {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}, "z": {"type": "integer"}},
              "required": ["x", "y"]}
    args = '{"x":4,"y":5,"z":4}'
    assert json.loads(drop_unsupported_optionals(args, schema, "the two sides are 4 and 5")) == {"x": 4, "y": 5}
    assert json.loads(drop_unsupported_optionals(args, schema, "x is 4, y is 5 and z is 4")) == {"x": 4, "y": 5, "z": 4}
    points = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "integer"}}, "b": {"type": "array", "items": {"type": "integer"}},
                                               "rounding": {"type": "integer"}}, "required": ["a", "b"]}
    listed = '{"a":[3,4],"b":[1,2],"rounding":1}'  # a list's items take the numbers too
    assert json.loads(drop_unsupported_optionals(listed, points, "the distance between A(3,4) and B(1,2)")) == {"a": [3, 4], "b": [1, 2]}
    assert json.loads(drop_unsupported_optionals(listed, points, "between A(3,4) and B(1,2), to 1 decimal")) == json.loads(listed)


def test_a_list_that_loops_on_a_value_is_cut_where_the_request_stops_writing_it():
    from agent.llm._local.cleanup import trim_repeated_items

    looped = '{"data":[85,90,91,91,91,91],"bins":5}'
    assert json.loads(trim_repeated_items(looped, "a histogram of 85, 90 and 91 in 5 bins")) == {"data": [85, 90, 91], "bins": 5}
    assert trim_repeated_items('{"xs":[1,2,2,3]}', "the values 1, 2, 2 and 3") == '{"xs":[1,2,2,3]}'  # written twice: kept
    assert trim_repeated_items('{"xs":[7,7,7]}', "no numbers here") == '{"xs":[7,7,7]}'  # never written: no basis to cut
    assert trim_repeated_items('{"at":[46.603354,1.888334,1.888334]}', "coordinates 46.603354,1.8883340") == '{"at":[46.603354,1.888334]}'
    assert trim_repeated_items("not json", "x") == "not json"


def test_an_optional_choice_the_request_names_is_written():
    from agent.llm._local.arguments import ground_numbers

    schema = {"type": "object", "required": ["color"], "properties": {
        "color": {"type": "string"},
        "size": {"type": "string", "enum": ["small", "medium", "large"], "description": "Default is 'small'"},
        "horizon": {"anyOf": [{"type": "string", "enum": ["short-term", "long-term"]}, {"type": "null"}]},
    }}
    out = ground_numbers(schema, [], "Identify a large green bird with a long term view")
    assert out["properties"]["size"] == {"type": "string", "enum": ["large"], "description": "Default is 'small'"}
    assert out["properties"]["horizon"] == {"type": "string", "enum": ["long-term"]}
    assert out["required"] == ["color", "size", "horizon"]
    unnamed = ground_numbers(schema, [], "a small or large green bird")  # two named: the model chooses, or leaves it out
    assert unnamed["properties"]["size"] == schema["properties"]["size"] and unnamed["required"] == ["color"]


def test_an_optional_flag_the_request_names_is_written_true():
    from agent.llm._local.arguments import ground_numbers, names_flag

    schema = {"type": "object", "required": ["start"], "properties": {
        "start": {"type": "string"},
        "avoid_tolls": {"type": "boolean", "default": False, "description": "Avoid toll roads"},
        "includeHumanImpact": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
        "strict": {"type": "boolean"},
    }}
    out = ground_numbers(schema, [], "Fastest route from Oslo with toll roads avoided, including the human impact")
    assert out["properties"]["avoid_tolls"] == {"type": "boolean", "enum": [True], "description": "Avoid toll roads"}
    assert out["properties"]["includeHumanImpact"] == {"type": "boolean", "enum": [True]}
    assert out["properties"]["strict"] == schema["properties"]["strict"]  # not named: the model may leave it out
    assert out["required"] == ["start", "avoid_tolls", "includeHumanImpact"]
    assert names_flag("allow_transfer", "by train, and you can transfer")
    assert not names_flag("full_text", "the case's details")
    assert not names_flag("is_on", "is it on?")  # words of fewer than 3 letters name nothing


def test_a_required_flag_is_the_model_s_to_write():
    from agent.llm._local.arguments import ground_numbers

    schema = {"type": "object", "required": ["avoid_tolls"], "properties": {"avoid_tolls": {"type": "boolean"}}}
    assert ground_numbers(schema, [], "route with toll roads avoided")["properties"]["avoid_tolls"] == {"type": "boolean"}


def test_a_required_list_holds_at_least_one_item():
    from agent.llm._local.arguments import ground_numbers

    schema = {"type": "object", "required": ["names"], "properties": {
        "names": {"type": "array", "items": {"type": "string"}}, "tags": {"type": "array", "items": {"type": "string"}}}}
    out = ground_numbers(schema, [], "Sort Sam, Alice and Jack")
    assert out["properties"]["names"]["minItems"] == 1 and "minItems" not in out["properties"]["tags"]



def test_an_optional_value_the_required_arguments_already_took_is_left_out():
    from agent.llm._local.cleanup import drop_unsupported_optionals

    schema = {"type": "object", "required": ["function"], "properties": {
        "function": {"type": "string"}, "x_value": {"type": "number"}, "exact": {"type": "boolean"}, "label": {"type": "string"}}}
    text = "The derivative of the function 3x^2 + 2x - 1, exactly, labelled slope."
    out = json.loads(drop_unsupported_optionals('{"function":"3x^2 + 2x - 1","x_value":1,"exact":true,"label":"slope"}', schema, text))
    assert out == {"function": "3x^2 + 2x - 1", "exact": True, "label": "slope"}  # the 1 is the function's
    movies = {"type": "object", "required": ["year"], "properties": {"year": {"type": "integer"}, "category": {"type": "string"}}}
    assert json.loads(drop_unsupported_optionals('{"year":2010,"category":"2010"}', movies, "movies of 2010")) == {"year": 2010}


def test_the_arguments_object_is_closed_whatever_strict_says():
    """Issue 29: an open schema would let another tool's argument leak into the call."""
    open_schema = {"type": "object", "properties": {"city": {"type": "string"},
                                                    "where": {"type": "object", "properties": {"lat": {"type": "number"}}},
                                                    "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                                                    "anything": {"type": "object"}},
                   "required": ["city"]}
    schema = grounded_schema(open_schema, None)
    assert schema["additionalProperties"] is False
    assert schema["properties"]["where"]["additionalProperties"] is False  # declares properties: closed
    assert schema["properties"]["extra"]["additionalProperties"] == {"type": "integer"}  # says otherwise: kept
    assert "additionalProperties" not in schema["properties"]["anything"]  # a free-form object stays free
    assert "additionalProperties" not in open_schema  # the caller's schema is not modified
    assert grounded_schema({"type": "object"}, None)["additionalProperties"] is False  # no properties: no arguments


def test_a_non_strict_response_format_with_properties_is_closed_for_decoding():
    from agent.llm._local.structured import prepared_schema

    schema = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}, "free": {"type": "object"}}}
    loose = prepared_schema(schema, strict=False)
    assert loose["additionalProperties"] is False and loose["properties"]["a"]["additionalProperties"] is False
    assert "additionalProperties" not in loose["properties"]["free"]
    assert prepared_schema(schema, strict=True)["properties"]["free"]["additionalProperties"] is False
    assert prepared_schema({"type": "object", "properties": {}, "additionalProperties": True}, strict=False)["additionalProperties"] is True


def test_the_one_unused_number_goes_to_the_one_optional_number_left_out():
    from agent.llm._local.arguments import ground_numbers, numbers_in
    from agent.llm._local.cleanup import fill_unused_number

    schema = {"type": "object", "properties": {"atm_pressure": {"type": "number"}, "gauge_pressure": {"type": "number"}},
              "required": ["gauge_pressure"]}
    q = "Absolute pressure given atmospheric pressure of 1 atm and a gauge pressure of 2 atm."
    grounded = ground_numbers(schema, numbers_in(q), q)
    assert json.loads(fill_unused_number('{"gauge_pressure":2}', grounded, q)) == {"gauge_pressure": 2, "atm_pressure": 1}
    hotel = {"type": "object", "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}, "guests": {"type": "integer"}},
             "required": ["city"]}
    q = "Hotels in Rome for 3 nights"
    assert fill_unused_number('{"city":"Rome"}', ground_numbers(hotel, numbers_in(q), q), q) == '{"city":"Rome"}'  # two could take it
    q = "Hotels in Rome for 3 nights, 2 guests"
    assert fill_unused_number('{"city":"Rome","nights":3}', ground_numbers(hotel, numbers_in(q), q), q) == '{"city":"Rome","nights":3,"guests":2}'


def test_unbounded_numbers_get_bounds_for_decoding_and_nothing_else_changes():
    from agent.llm._local.grammar import MAX_NUMBER, with_number_bounds

    schema = {"type": "object", "properties": {
        "n": {"type": "integer"}, "x": {"type": "number", "minimum": 0},
        "k": {"type": "integer", "enum": [1, 2]}, "maybe": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "many": {"type": "array", "items": {"type": "integer"}}, "name": {"type": "string"}}}
    out = with_number_bounds(schema)
    assert out["properties"]["n"] == {"type": "integer", "maximum": MAX_NUMBER, "minimum": -MAX_NUMBER}
    assert out["properties"]["x"] == {"type": "number", "minimum": 0, "maximum": MAX_NUMBER}  # its own bound kept
    assert out["properties"]["k"] == {"type": "integer", "enum": [1, 2]}
    assert out["properties"]["maybe"]["anyOf"][0]["maximum"] == MAX_NUMBER
    assert out["properties"]["many"]["items"]["minimum"] == -MAX_NUMBER
    assert out["properties"]["name"] == {"type": "string"} and "maximum" not in schema["properties"]["n"]  # a copy


def test_an_optional_value_naming_another_argument_s_choice_is_left_out():
    from agent.llm._local.cleanup import drop_unsupported_optionals

    cuisine = {"anyOf": [{"type": "string", "enum": ["italian", "thai", "middle eastern"]}, {"type": "null"}]}
    declared = {"properties": {"ingredient": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "cuisine": cuisine},
                "required": ["ingredient", "cuisine"]}  # strict: an optional allows null
    pinned = {**declared, "properties": {**declared["properties"], "cuisine": {"type": "string", "enum": ["italian"]}}}
    text = "find Thai and Italian recipes"
    assert json.loads(drop_unsupported_optionals('{"ingredient":"Thai","cuisine":"italian"}', declared, text)) == {"ingredient": None, "cuisine": "italian"}
    assert json.loads(drop_unsupported_optionals('{"ingredient":"Thai","cuisine":"italian"}', pinned, text, declared))["ingredient"] is None
    assert json.loads(drop_unsupported_optionals('{"ingredient":"eggs","cuisine":"thai"}', declared, "Thai recipes with eggs"))["ingredient"] == "eggs"
    assert json.loads(drop_unsupported_optionals('{"ingredient":"Middle","cuisine":"thai"}', declared, "Middle of the Thai menu"))["ingredient"] is None
