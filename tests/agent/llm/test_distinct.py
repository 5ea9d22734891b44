"""A value written once is one argument's value (no model): which calls give one value to two arguments."""

from agent.llm._local.distinct import doubled, overlapping, without_value


def test_a_value_written_once_in_two_arguments_is_doubled():
    schema = {"properties": {"src": {"type": "string", "pattern": "^x$"}, "dst": {"type": "string", "pattern": "^x$"},
                             "format": {"type": "string", "enum": ["any", "audiobook"]}}}
    assert doubled({"src": "NOK", "dst": "NOK"}, schema, "How much are 50 EUR in NOK?") == ("src", "dst", "NOK")
    assert doubled({"src": "NOK", "dst": "NOK"}, schema, "NOK to NOK?") is None  # written twice
    assert doubled({"format": "audiobook", "src": "audiobook"}, schema, "audiobook of Dune?") == ("src", "format", "audiobook")
    assert doubled({"format": "audiobook", "src": "Dune"}, schema, "audiobook of Dune?") is None


def test_a_value_the_last_message_writes_is_counted_there():
    schema = {"properties": {"src": {"type": "string", "pattern": "^x$"}, "dst": {"type": "string", "pattern": "^x$"}}}
    conversation = "Convert 300 EUR to USD. And 50 EUR? How much is 120 GBP in EUR?"
    assert doubled({"src": "EUR", "dst": "EUR"}, schema, conversation) is None  # the conversation writes EUR 3 times
    assert doubled({"src": "EUR", "dst": "EUR"}, schema, conversation, last="How much is 120 GBP in EUR?") == ("src", "dst", "EUR")
    assert doubled({"src": "EUR", "dst": "EUR"}, schema, conversation, last="and GBP?") is None  # not the last message's


def test_a_number_written_once_in_two_arguments_is_doubled_when_one_can_take_another():
    schema = {"properties": {"mass1": {"type": "number", "enum": [20, 30, 15, 60]}, "mass2": {"type": "number", "enum": [20, 30, 15, 60]}}}
    text = "20 kg of water at 30 degrees mixed with 15 kg at 60 degrees"
    assert doubled({"mass1": 15, "mass2": 15.0}, schema, text) == ("mass1", "mass2", 15)
    assert doubled({"mass1": 20, "mass2": 15}, schema, text) is None
    assert doubled({"mass1": 15, "mass2": 15}, schema, "15 kg and 15 kg") is None  # written twice
    fixed = {"properties": {"a": {"type": "number", "enum": [5]}, "b": {"type": "number"}}}
    assert doubled({"a": 5, "b": 5}, fixed, "a square of side 5") is None  # neither can take another number


def test_a_reading_that_keeps_the_value_in_the_span_takes_it_from_the_enum():
    schema = {"properties": {"query": {"type": "string", "pattern": "^x$"},
                             "format": {"type": "string", "enum": ["any", "audiobook", "ebook"]}}}
    assert without_value(schema, "format", "Audiobook")["properties"]["format"]["enum"] == ["any", "ebook"]
    assert without_value(schema, "query", "audiobook") == schema  # not an enum: the spans say what it can take
    only = {"properties": {"format": {"type": "string", "enum": ["audiobook"]}}}
    assert without_value(only, "format", "audiobook") == only  # nothing else to take


def test_a_number_and_a_string_writing_it_are_one_value():
    schema = {"type": "object", "properties": {"amount": {"type": "number", "enum": [100]},
                                               "from_currency": {"type": "string", "pattern": "^(I|have|100|euro)$"}}}
    text = "I have 100 euro. How much is it in USD?"
    assert doubled({"amount": 100, "from_currency": "100"}, schema, text) == ("from_currency", "amount", 100)
    assert doubled({"amount": 100, "from_currency": "euro"}, schema, text) is None
    assert doubled({"amount": 100, "from_currency": "100"}, schema, "100 euro, or 100 dollars?") is None  # written twice


def test_two_values_sharing_a_word_written_once_overlap():
    schema = {"properties": {k: {"type": "string", "pattern": "^x$"} for k in ("title", "date", "start_time")} | {"note": {"type": "string"}}}
    text = "Please book Car service for Saturday at 8:30am"
    assert overlapping({"title": "Car service for Saturday at 8:30am", "date": "Saturday at 8:30am"}, schema, text) == ("title", "date")
    assert overlapping({"title": "Car service", "date": "Saturday", "start_time": "8:30am"}, schema, text) is None
    assert overlapping({"title": "Car service", "note": "Car service"}, schema, text) is None  # only spans the grammar holds
    assert overlapping({"title": "Lunch at noon", "date": "Friday at noon"}, schema, "Lunch at noon on Friday at noon") is None  # written twice



def test_a_number_written_once_inside_another_arguments_span_is_that_arguments():
    from agent.llm._local.distinct import number_in_span, without_number

    schema = {"properties": {"date": {"type": "string", "pattern": "^x$"}, "minutes": {"anyOf": [{"type": "integer", "enum": [18, 1, 45]}, {"type": "null"}]}},
              "required": ["date", "minutes"]}
    text = "put Hiring sync in my calendar, June 18 at 1pm, 45 min"
    assert number_in_span({"date": "June 18", "minutes": 18}, schema, text) == ("minutes", 18)
    assert number_in_span({"date": "June 18", "minutes": 45}, schema, text) is None
    assert number_in_span({"date": "June 18", "minutes": 18}, schema, "June 18, for 18 minutes") is None  # written twice
    narrowed = without_number(schema, "minutes", 18)
    assert narrowed["properties"]["minutes"]["anyOf"][0]["enum"] == [1, 45]
    only = {"properties": {"minutes": {"anyOf": [{"type": "integer", "enum": [18]}, {"type": "null"}]}}, "required": ["minutes"]}
    assert without_number(only, "minutes", 18)["properties"]["minutes"] == {"type": "null"}  # strict optional: null
    needed = {"properties": {"minutes": {"type": "integer", "enum": [18]}}, "required": ["minutes"]}
    assert without_number(needed, "minutes", 18) is None  # a required number with no other: as decoded


def test_one_named_choice_in_two_arguments_of_one_enum_is_doubled():
    units = {"type": "string", "enum": ["grams", "kilograms", "ounces", "pounds"]}
    schema = {"properties": {"from_unit": units, "to_unit": units, "size": {"type": "string", "enum": ["low", "high"]},
                             "speed": {"type": "string", "enum": ["low", "high"]}}}
    assert doubled({"from_unit": "kilograms", "to_unit": "kilograms"}, schema, "convert 2 pounds to kilograms") == ("from_unit", "to_unit", "kilograms")
    assert doubled({"from_unit": "grams", "to_unit": "grams"}, schema, "and in grams?") == ("from_unit", "to_unit", "grams")
    assert doubled({"from_unit": "grams", "to_unit": "grams"}, schema, "500 kilograms?") is None  # "grams" is no word of it
    assert doubled({"size": "low", "speed": "low"}, schema, "a big one, please") is None  # a choice nobody names: no reason to part them
    assert doubled({"from_unit": "grams", "to_unit": "grams"}, schema, "grams to grams") is None  # named twice
