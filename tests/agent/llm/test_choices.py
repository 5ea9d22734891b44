"""The choice a request names among an argument's values (enum, or quoted in a free string's description)."""

from __future__ import annotations

from agent.llm._local.arguments import ground_numbers
from agent.llm._local.choices import described_choices, named_choice, named_lists, states
from core.schema import strict_schema

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


def test_the_default_named_beside_another_value_asks_for_the_other():
    part = {"type": "string", "enum": ["any", "morning", "afternoon"], "default": "any"}
    assert named_choice(part, {}, "is there any time free on Wednesday afternoon?") == "afternoon"
    assert named_choice(part, {}, "any time at all?") == "any"
    assert named_choice(part, {}, "any time in the morning or the afternoon?") is None


def test_the_longest_naming_and_its_own_case_win():
    condition = {"type": "string", "enum": ["New", "Like New", "Used"]}
    assert named_choice(condition, {}, "a game from 1985, like new") == "Like New"
    genotype = {"type": "string", "enum": ["AA", "Aa", "aa"]}
    assert named_choice(genotype, {}, "the frequency of the AA genotype") == "AA"
    assert named_choice(genotype, {}, "the frequency of the aa genotype") == "aa"


def test_a_default_strict_mode_noted_in_the_description_gives_way_too():
    part = strict_schema({"type": "object", "properties": {"part": {"type": "string", "enum": ["any", "evening"], "default": "any", "description": "When."}}})
    assert named_choice(part["properties"]["part"], part, "any time this evening?") == "evening"


def test_a_capitalized_word_alone_names_a_lowercase_choice_a_name_does_not():
    day = {"type": "string", "enum": ["monday", "sunday"]}
    assert named_choice(day, {}, "Is Hillcrest open on Sunday?") == "sunday"
    assert named_choice({"type": "string", "enum": ["history", "art"]}, {}, "Hours of the Natural History Museum?") is None


def test_a_named_default_keeps_its_place_when_the_other_value_is_another_arguments_choice_too():
    units = ["celsius", "fahrenheit", "kelvin"]
    schema = {"type": "object", "required": ["t"], "properties": {
        "t": {"type": "number"}, "source": {"type": "string", "enum": units, "default": "celsius"},
        "target": {"type": "string", "enum": units, "default": "fahrenheit"}}}
    out = ground_numbers(schema, [30.0], "Convert 30 celsius to fahrenheit", "Convert 30 celsius to fahrenheit")
    assert out["properties"]["source"]["enum"] == units and out["properties"]["target"]["enum"] == units  # the model decides


def test_a_scalar_choice_is_named_by_its_own_words_not_another_form():
    assert named_choice({"type": "string", "enum": ["call", "put"]}, {}, "the company called Acme") is None
    assert named_choice({"type": "string", "enum": ["call", "put"]}, {}, "buy a call option") == "call"


def test_choice_words_read_enums_only_and_survive_odd_items():
    from agent.llm._local.choices import choice_words

    assert choice_words({"type": "object", "properties": {
        "category": {"type": "string", "enum": ["museums", "food", "any"], "default": "any"},
        "city": {"type": "string", "description": "e.g. 'London' or 'Paris'"},
        "odd": {"type": "array", "items": [{"type": "string"}]}, "flag": {"type": "array", "items": True}}}) == {"museums", "food"}


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


SERVICES = ["Guitar Lessons", "Violin Lessons", "Piano Lessons"]
INSTRUMENTS = ["Guitars", "Violins", "Pianos", "Drums"]


def test_a_list_of_choices_gets_the_values_named_each_once_in_the_order_written():
    named = named_lists("museum hours? I need accessibility and timings, and timings again", {"features": ["timings", "exhibitions", "accessibility"]})
    assert named == {"features": ["accessibility", "timings"]}


def test_a_choice_is_named_in_another_form_of_its_words():
    assert named_lists("avoid highways and toll roads", {"avoid": ["tolls", "highways", "ferries"]}) == {"avoid": ["highways", "tolls"]}
    assert named_lists("camping and scenic views", {"f": ["Camping", "Scenic View", "Trails"]}) == {"f": ["Camping", "Scenic View"]}
    assert named_lists("a cat", {"f": ["cats", "dogs"]}) == {"f": []}  # a short word only as written
    assert named_lists("strength and weakness traits", {"t": ["strengths", "weaknesses"]}) == {"t": ["strengths", "weaknesses"]}
    assert named_lists("action movies that come out soon", {"g": ["Action", "Comedy"]}) == {"g": ["Action"]}  # "come" is no "comedy"


def test_words_name_the_longest_value_that_names_them():
    named = named_lists("a guitar shop that offers violin lessons", {"services": SERVICES, "instruments": INSTRUMENTS})
    assert named == {"services": ["Violin Lessons"], "instruments": ["Guitars"]}


def test_case_tells_a_name_from_a_choice():
    assert named_lists("the Natural History Museum's timings", {"f": ["timings", "history"]}) == {"f": ["timings"]}
    assert named_lists("History and timings", {"f": ["timings", "history"]}) == {"f": ["history", "timings"]}  # a sentence opens
    assert named_lists("a DNA sequence rich in G and C", {"p": ["A", "T", "C", "G"]}) == {"p": ["G", "C"]}
    assert named_lists("İ: a DNA sequence rich in G and C", {"p": ["A", "T", "C", "G"]}) == {"p": ["G", "C"]}  # lower() lengthens İ
    assert named_lists("Museum info\nHistory and timings", {"f": ["timings", "history"]}) == {"f": ["history", "timings"]}  # a line opens


def _listed(schema: dict, text: str, **kwargs) -> dict:
    return ground_numbers({"type": "object", "properties": schema, "required": ["location"]}, [], text, **kwargs)


LIST = {"type": "array", "items": {"type": "string", "enum": ["Seafood", "Italian", "Indian"]}}


def test_an_optional_list_the_request_names_is_written_with_exactly_those_values():
    grounded = _listed({"location": {"type": "string"}, "cuisine": LIST}, "seafood or indian in Seattle")
    assert grounded["properties"]["cuisine"]["enum"] == [["Seafood", "Indian"]]
    assert grounded["required"] == ["location", "cuisine"]


def test_a_list_named_by_nothing_or_grounded_or_out_of_bounds_keeps_its_schema():
    props = {"location": {"type": "string"}, "cuisine": LIST}
    assert _listed(props, "a table in Seattle")["properties"]["cuisine"] == LIST
    assert _listed(props, "seafood in Seattle", grounded=["cuisine"])["properties"]["cuisine"] == LIST
    two = {**LIST, "minItems": 2}
    assert _listed({"location": {"type": "string"}, "cuisine": two}, "seafood in Seattle")["properties"]["cuisine"] == two


def test_one_naming_does_not_pin_a_choice_two_arguments_share():
    from agent.llm._local.choices import named_choice

    units = {"type": "string", "enum": ["grams", "ounces", "pounds"]}
    assert named_choice(units, {}, "and in ounces?", shared={"grams", "ounces", "pounds"}) is None
    assert named_choice(units, {}, "and in ounces?") == "ounces"
