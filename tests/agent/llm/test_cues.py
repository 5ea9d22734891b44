"""A value written right after a word of an argument's name is that argument's (`_local/cues.py`)."""

from __future__ import annotations

from agent.llm._local.cues import amount_unit, cued_values, in_written_order, last_name_word, name_words
from agent.llm._local.distinct import without_value
from agent.llm._local.json_calls import with_cued

CURRENCIES = {"type": "string", "enum": ["EUR", "USD", "GBP"]}
CONVERT = {"type": "object", "properties": {"amount": {"type": "number"}, "from_currency": CURRENCIES, "to_currency": CURRENCIES}}


def test_name_words_are_the_first_and_last_words_of_a_name():
    assert name_words("from_currency") == {"from", "currency"}
    assert name_words("rate_of_return") == {"rate", "return"}  # the words between join, they name nothing
    assert name_words("pickupBranch") == {"pickup", "branch"}
    assert name_words("number1") == {"number"}
    assert name_words("x") == frozenset()


def test_a_value_right_after_a_name_word_is_cued_to_that_argument():
    crossed = {"amount": 300, "from_currency": "USD", "to_currency": "EUR"}
    assert cued_values(crossed, CONVERT, "Convert 300 EUR to USD") == {"to_currency": "USD"}
    assert cued_values(crossed, CONVERT, "convert 300 eur to usd") == {"to_currency": "USD"}  # the enum's own spelling


def test_nothing_is_cued_when_the_call_already_agrees():
    right = {"amount": 300, "from_currency": "EUR", "to_currency": "USD"}
    assert cued_values(right, CONVERT, "Convert 300 EUR to USD") == {}


def test_a_word_shared_by_two_names_cues_neither():
    # "currency" ends both names
    assert cued_values({"from_currency": "EUR", "to_currency": "EUR"}, CONVERT, "the currency USD please") == {}


def test_a_first_name_word_after_a_value_is_not_read():
    # "USD to" has a first name word after the value: no evidence ("a Tennis player" is the sport)
    assert cued_values({"from_currency": "EUR", "to_currency": "EUR"}, CONVERT, "Convert EUR and USD to euros") == {}


def test_a_value_right_before_the_last_name_word_is_cued():
    schema = {"type": "object", "properties": {"title": {"type": "string"}, "pickup_branch": {"type": "string"},
                                               "bedrooms": {"type": "integer"}}}
    text = "Hold Demon Copperhead for me, I'll collect it at the Westgate branch"
    assert cued_values({"title": "Westgate", "pickup_branch": "Central"}, schema, text) == {"pickup_branch": "Westgate"}
    assert cued_values({"bedrooms": 300000}, schema, "a 3 bedrooms villa for $300,000") == {"bedrooms": 3}
    assert last_name_word("pickup_branch") == "branch" and last_name_word("x") is None


def test_a_name_after_a_list_names_every_item_and_cues_none():
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "nights": {"type": "integer"}}}
    assert cued_values({"city": "Paris", "nights": 2}, schema, "Hotels in Paris and London for 2 and 5 nights respectively") == {}
    assert cued_values({"city": "Paris", "nights": 2}, schema, "Hotels in Paris for 2, 5 nights") == {}
    assert cued_values({"city": "Paris", "nights": 2}, schema, "Hotels in Paris for 5 nights") == {"nights": 5}


def test_a_name_followed_by_a_value_names_that_value_not_the_one_before():
    schema = {"type": "object", "properties": {"gene": {"type": "string"}, "species": {"type": "string"}}}
    right = {"gene": "BRCA1", "species": "human"}
    assert cued_values(right, schema, "Identify the protein sequence of a given human gene 'BRCA1'.") == {}


def test_a_value_written_twice_is_not_cued():
    crossed = {"from_currency": "USD", "to_currency": "EUR"}
    assert cued_values(crossed, CONVERT, "I hold USD; convert EUR to USD") == {}


def test_a_number_right_after_its_name_is_cued():
    schema = {"type": "object", "properties": {"radius": {"type": "integer"}, "height": {"type": "number"}}}
    assert cued_values({"radius": 7, "height": 4}, schema, "a cone of radius 4 and height 7.5") == {"radius": 4, "height": 7.5}
    assert cued_values({}, schema, "radius 4 or radius 5") == {}  # two values: no one value is cued
    assert cued_values({}, schema, "a cone of radius 4.5") == {}  # not an integer


def test_a_free_string_is_cued_only_with_a_value_the_call_already_took():
    schema = {"type": "object", "properties": {"title": {"type": "string"}, "branch": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}
    text = "is Demon Copperhead in at branch Westgate"
    assert cued_values({"title": "Westgate", "branch": None}, schema, text) == {"branch": "Westgate"}
    assert cued_values({"title": "Demon Copperhead", "branch": None}, schema, text) == {}  # no new span is cut


def test_numbered_arguments_take_their_values_in_the_order_written():
    text = "Find the highest common factor of 36 and 24."
    assert in_written_order({"number1": 24, "number2": 36}, text) == {"number1": 36, "number2": 24}
    assert in_written_order({"number1": 36, "number2": 24}, text) == {}
    mixed = "20 kg of water at 30 degrees is mixed with 15 kg of water at 60 degrees"
    assert in_written_order({"mass1": 15, "temperature1": 30, "mass2": 20, "temperature2": 60}, mixed) == {"mass1": 20, "mass2": 15}
    assert in_written_order({"city1": "Paris", "city2": "Rome"}, "from Rome to Paris") == {"city1": "Rome", "city2": "Paris"}


def test_arguments_whose_names_end_alike_take_their_values_in_the_order_written():
    order = ["amount", "from_currency", "to_currency"]
    text = "Will it be sunny in Miami, and how much is 500 CAD in USD?"
    assert in_written_order({"amount": 500, "from_currency": "USD", "to_currency": "CAD"}, text, order=order) == \
        {"from_currency": "CAD", "to_currency": "USD"}
    assert in_written_order({"amount": 500, "from_currency": "CAD", "to_currency": "USD"}, text, order=order) == {}
    # the schema's order, not the call's (a grammar may write required arguments first)
    pressure = "atmospheric pressure of 1 atm and a gauge pressure of 2 atm"
    assert in_written_order({"gauge_pressure": 2, "atm_pressure": 1}, pressure, order=["atm_pressure", "gauge_pressure"]) == {}
    # a cue says where a value goes, whatever the order: "to USD"
    assert in_written_order({"from_currency": "CAD", "to_currency": "USD"}, "to USD from CAD", cued={"to_currency"}) == {}
    assert in_written_order({"city": "Rome", "home_city": "Paris"}, "from Paris to Rome") == {}  # a one-word name is no sibling


def test_the_unit_written_beside_the_amount_is_the_one_converted_from():
    order = ["amount", "from_unit", "to_unit"]
    text = "how many millilitres is 3 cups?"
    assert in_written_order({"amount": 3, "from_unit": "millilitres", "to_unit": "cups"}, text, order=order) == \
        {"from_unit": "cups", "to_unit": "millilitres"}
    assert in_written_order({"amount": 3, "from_unit": "cups", "to_unit": "millilitres"}, text, order=order) == {}
    assert in_written_order({"amount": 2, "from_unit": "ounce", "to_unit": "pound"}, "How many ounces in 2 pounds?", order=order) == \
        {"from_unit": "pound", "to_unit": "ounce"}


UNITS = {"type": "object", "properties": {"amount": {"type": "number"}, "from_unit": {"type": "string"}, "to_unit": {"type": "string"}}}


def test_a_follow_up_naming_one_unit_keeps_the_amount_in_its_unit():
    earlier = {"amount": 250, "from_unit": "grams", "to_unit": "pounds"}
    conversation = "convert 250 grams to pounds\nand in ounces?"
    assert amount_unit({"amount": 250, "from_unit": "ounces", "to_unit": "pounds"}, earlier, "and in ounces?", conversation, UNITS) == \
        {"from_unit": "grams", "to_unit": "ounces"}
    assert amount_unit({"amount": 250, "from_unit": "grams", "to_unit": "ounces"}, earlier, "and in ounces?", conversation, UNITS) == {}
    # the unit written in a short form after the amount ("1 cup" for cups): a three-letter word too
    cups = {"amount": 1, "from_unit": "cups", "to_unit": "teaspoons"}
    assert amount_unit({"amount": 1, "from_unit": "tablespoons", "to_unit": "teaspoons"}, cups, "what about tablespoons?",
                       "how many teaspoons in 1 cup?\nwhat about tablespoons?", UNITS) == {"from_unit": "cups", "to_unit": "tablespoons"}
    # siblings that are no amount's unit: "and from Paris?" may change the origin
    flights = {"type": "object", "properties": {"passengers": {"type": "integer"}, "from_city": {"type": "string"}, "to_city": {"type": "string"}}}
    before = {"passengers": 2, "from_city": "Boston", "to_city": "Oslo"}
    said = "and from Paris?"
    assert amount_unit({**before, "from_city": "Paris"}, before, said, "from Boston to Oslo for 2 people\n" + said, flights) == {}


def test_a_follow_up_writing_its_amount_with_a_unit_converts_from_that_unit():
    earlier = {"amount": 100, "from_unit": "USD", "to_unit": "EUR"}
    said = "and 250 GBP to EUR?"
    conversation = "Convert 100 USD to EUR\n" + said
    assert amount_unit({"amount": 250, "from_unit": "USD", "to_unit": "EUR"}, earlier, said, conversation, UNITS) == {"from_unit": "GBP"}
    assert amount_unit({"amount": 250, "from_unit": "GBP", "to_unit": "EUR"}, earlier, said, conversation, UNITS) == {}
    shaped = {"type": "object", "properties": {**UNITS["properties"], "from_unit": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
    assert amount_unit({"amount": 250, "from_unit": "USD", "to_unit": "EUR"}, earlier, "and 250 more?", conversation, shaped) == {}
    assert amount_unit({"amount": 250, "from_unit": "USD", "to_unit": "EUR"}, earlier, "and 250 more?", conversation, UNITS) == {}


def test_numbered_arguments_keep_their_values_when_the_order_is_not_clear():
    assert in_written_order({"number1": 24, "number2": 36}, "36 and 24, then 36 again") == {}  # 36 written twice
    assert in_written_order({"number1": 5, "number2": 5}, "5 and 5") == {}
    assert in_written_order({"x": 24, "x2": 36}, "36 and 24") == {}  # one numbered argument is no order
    assert in_written_order({"item1": 24, "item2": "Rome"}, "Rome and 24") == {}  # a number and a name are not one list
    assert in_written_order({"coord1": [3, 4], "coord2": [1, 2]}, "from (1, 2) to (3, 4)") == {}  # lists are not reordered


def test_without_value_takes_a_value_out_of_an_enum_that_keeps_others():
    assert without_value(CONVERT, "from_currency", "usd")["properties"]["from_currency"]["enum"] == ["EUR", "GBP"]
    only = {"properties": {"a": {"type": "string", "enum": ["X"]}}}
    assert without_value(only, "a", "X") is only  # never an empty choice
    assert without_value(CONVERT, "amount", 3) is CONVERT  # not an enum: unchanged


def test_with_cued_holds_the_cued_argument_and_keeps_its_value_from_the_others():
    schema = with_cued(CONVERT, {"to_currency": "USD"}, "Convert 300 EUR to USD")
    assert schema["properties"]["to_currency"]["enum"] == ["USD"]
    assert "USD" not in schema["properties"]["from_currency"]["enum"]
    assert "to_currency" in schema["required"]  # an optional argument the request cues is written


def test_a_number_one_word_after_a_name_word_is_cued_unless_a_number_has_that_name():
    schema = {"type": "object", "properties": {"width": {"type": "integer"}, "length": {"type": "integer"}}}
    text = "What is the area of a rectangle with width of 7 units and length of 10 units?"
    assert cued_values({"width": 10, "length": 7}, schema, text) == {"width": 7, "length": 10}
    grounded = {"type": "object", "properties": {"width": {"type": "integer", "enum": [7, 10]}, "length": {"type": "integer", "enum": [7, 10]}}}
    assert cued_values({"width": 10, "length": 7}, grounded, text) == {"width": 7, "length": 10}  # the request's numbers
    bats = {"type": "object", "properties": {"hits": {"type": "integer"}, "at_bats": {"type": "integer"}}}
    assert cued_values({"hits": 180, "at_bats": 600}, bats, "a player with 180 hits and 600 at-bats") == {}


def test_spans_other_arguments_took_are_no_whole_values():
    from agent.llm._local.span_pick import without_spans

    scored = {"title": ({"Westgate": -3.5, "Demon Copperhead": -4.8, "check": -9.6}, {})}
    assert without_spans(scored, ["westgate", 3]) == {"title": ({"Demon Copperhead": -4.8, "check": -9.6}, {})}


def test_with_fixed_pins_a_flag_as_a_flag():
    from agent.llm._local.json_calls import with_fixed

    schema = {"type": "object", "properties": {"live": {"type": "boolean"}, "n": {"type": "integer"}, "x": {"type": "number"}}}
    props = with_fixed(schema, {"live": True, "n": 3, "x": 2.5})["properties"]
    assert props["live"] == {"type": "boolean", "enum": [True]}  # an integer enum [True] is unsatisfiable
    assert props["n"] == {"type": "integer", "enum": [3]} and props["x"] == {"type": "number", "enum": [2.5]}
