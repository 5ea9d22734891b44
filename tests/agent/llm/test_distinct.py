"""A value written once is one argument's value (no model): which calls give one value to two arguments."""

from agent.llm._local.distinct import doubled


def test_a_value_written_once_in_two_arguments_is_doubled():
    schema = {"properties": {"src": {"type": "string", "pattern": "^x$"}, "dst": {"type": "string", "pattern": "^x$"},
                             "format": {"type": "string", "enum": ["any", "audiobook"]}}}
    assert doubled({"src": "NOK", "dst": "NOK"}, schema, "How much are 50 EUR in NOK?") == ("src", "dst", "NOK")
    assert doubled({"src": "NOK", "dst": "NOK"}, schema, "NOK to NOK?") is None  # written twice
    assert doubled({"format": "audiobook", "src": "audiobook"}, schema, "audiobook of Dune?") == ("src", "format", "audiobook")
    assert doubled({"format": "audiobook", "src": "Dune"}, schema, "audiobook of Dune?") is None


def test_a_reading_that_keeps_the_value_in_the_span_takes_it_from_the_enum():
    from agent.llm._local.distinct import _without_choice

    schema = {"properties": {"query": {"type": "string", "pattern": "^x$"},
                             "format": {"type": "string", "enum": ["any", "audiobook", "ebook"]}}}
    assert _without_choice(schema, "format", "Audiobook")["properties"]["format"]["enum"] == ["any", "ebook"]
    assert _without_choice(schema, "query", "audiobook") == schema  # not an enum: the spans say what it can take
    only = {"properties": {"format": {"type": "string", "enum": ["audiobook"]}}}
    assert _without_choice(only, "format", "audiobook") == only  # nothing else to take
