"""The choice a request names among an argument's values (enum, or quoted in a free string's description)."""

from __future__ import annotations

from agent.llm._local.arguments import ground_numbers
from agent.llm._local.choices import described_choices, named_choice, states

ROOTS = "The type of roots to return: 'real' for real roots, 'all' for both. Default value is 'real'."
FORMAT = {"type": "string", "description": "Can be 'list' for a list of factors or 'dictionary' for counts. Default is 'list'."}


def test_the_values_a_description_quotes_in_order_once_each():
    assert described_choices(ROOTS) == ["real", "all"]
    assert described_choices('Either "celsius" or "fahrenheit".') == ["celsius", "fahrenheit"]


def test_an_apostrophe_inside_a_word_quotes_nothing():
    assert described_choices("The user's name, as the company's records write it") == []
    assert described_choices("It's 'a' or 'b'") == ["a", "b"]


def test_a_value_is_named_by_its_words_in_order():
    assert states("what's due back soon?", "due_soon")
    assert not states("quarterly figures", "quarter")


def test_the_one_described_value_the_request_names():
    assert named_choice(FORMAT, {}, "Factorize 60 and return a dictionary") == "dictionary"


def test_no_choice_when_the_request_names_none_or_two():
    assert named_choice(FORMAT, {}, "Factorize 60") is None
    assert named_choice(FORMAT, {}, "Factorize 60 as a list or a dictionary") is None


def test_one_quoted_value_is_an_example_not_a_choice():
    assert named_choice({"type": "string", "description": "The unit. Default is 'cm'."}, {}, "4 cm please") is None


def test_the_last_message_decides_when_the_conversation_names_several():
    prop = {"type": "string", "enum": ["list", "dictionary"]}
    assert named_choice(prop, {}, "now as a dictionary", "as a list ... now as a dictionary") == "dictionary"


def test_a_constrained_string_has_no_described_choices():
    assert named_choice({"type": "string", "pattern": "^[a-z]+$", "description": FORMAT["description"]}, {}, "a dictionary") is None


def test_a_named_choice_is_written_whether_optional_or_required():
    for required in ([], ["kind"]):
        schema = {"type": "object", "properties": {"kind": FORMAT}, "required": required}
        grounded = ground_numbers(schema, [], "return them in the form of a dictionary")
        assert grounded["properties"]["kind"]["enum"] == ["dictionary"]
        assert grounded["required"] == ["kind"]


def test_an_unnamed_optional_choice_stays_optional_and_free():
    schema = {"type": "object", "properties": {"kind": FORMAT, "n": {"type": "integer"}}, "required": ["n"]}
    grounded = ground_numbers(schema, [60.0], "factorize 60")
    assert grounded["properties"]["kind"] == FORMAT and grounded["required"] == ["n"]
