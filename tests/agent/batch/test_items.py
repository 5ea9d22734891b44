"""Batch input: questions and direct calls, every bad line named by its number, arguments checked first."""

from __future__ import annotations

import json

import pytest

from agent.batch import BatchItem, parse_lines, read_input
from tests.agent.batch._fixtures import ORCHESTRATIONS

CATALOG = {o.name: o for o in ORCHESTRATIONS}


def parse(*lines: str | dict):
    return parse_lines([x if isinstance(x, str) else json.dumps(x) for x in lines], CATALOG)


def test_questions_and_direct_calls_are_items_with_their_line_numbers():
    parsed = parse({"id": "q1", "question": " price of AAA? "}, "", {"id": 7, "orchestration": "quote", "arguments": {"symbol": "BBB"}, "expected": "x"})
    assert parsed.bad == []
    q, c = parsed.items
    assert (q.id, q.line, q.question, q.is_call) == ("q1", 1, "price of AAA?", False)
    assert (c.id, c.line, c.orchestration, c.arguments, c.is_call) == (7, 3, "quote", {"symbol": "BBB"}, True)
    assert BatchItem.from_dict(c.to_dict()) == c


def test_defaults_of_a_direct_call_are_filled_in_when_checked():
    (item,) = parse({"id": "b", "orchestration": "boom"}).items
    assert item.arguments == {"reason": "broken"}


@pytest.mark.parametrize("line, message", [
    ("not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object"),
    ({"question": "x"}, 'no "id"'),
    ({"id": True, "question": "x"}, '"id" must be'),
    ({"id": "", "question": "x"}, '"id" must be'),
    ({"id": 1.5, "question": "x"}, '"id" must be'),
    ({"id": "a"}, 'needs "question"'),
    ({"id": "a", "question": "  "}, '"question" must be a non-empty string'),
    ({"id": "a", "arguments": {}}, '"arguments" without "orchestration"'),
    ({"id": "a", "orchestration": "nope", "arguments": {}}, "unknown orchestration 'nope'; known: boom, crash, quote"),
    ({"id": "a", "orchestration": "quote", "arguments": []}, '"arguments" must be a JSON object'),
    ({"id": "a", "orchestration": "quote", "arguments": {}}, "symbol"),
])
def test_a_bad_line_is_reported_with_its_number_and_the_others_still_run(line, message):
    parsed = parse({"id": "ok", "question": "price of AAA"}, line, {"id": "ok2", "question": "price of BBB"})
    assert [i.id for i in parsed.items] == ["ok", "ok2"]
    (bad,) = parsed.bad
    assert bad.line == 2 and message in bad.message, bad
    assert str(bad).startswith("line 2: ")


def test_a_duplicate_id_names_the_line_of_the_first():
    parsed = parse({"id": "a", "question": "x"}, {"id": "b", "question": "y"}, {"id": "a", "question": "z"})
    assert [str(b) for b in parsed.bad] == ["line 3: duplicate id 'a' (first on line 1)"]
    assert [i.question for i in parsed.items] == ["x", "y"]


def test_an_integer_id_and_its_string_are_different_ids():
    parsed = parse({"id": 1, "question": "x"}, {"id": "1", "question": "y"})
    assert parsed.bad == [] and len({i.key for i in parsed.items}) == 2


def test_reading_a_missing_or_binary_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="input file not found"):
        read_input(tmp_path / "none.jsonl", CATALOG)
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b'{"id": "\xff"}\n')
    with pytest.raises(ValueError, match="not UTF-8"):
        read_input(path, CATALOG)
