"""When a follow-up's call repeats the earlier one (`_local/follow_ups.py`), without the model."""

from __future__ import annotations

from agent.llm._local.follow_ups import _spans, repeats


def test_a_call_repeats_the_earlier_one_value_for_value():
    assert repeats({"title": "Dune", "branch": "northside"}, {"title": "Dune", "branch": "Northside"})
    assert repeats({"amount": 200.0}, {"amount": 200})
    assert not repeats({"title": "Children of Dune", "branch": "Northside"}, {"title": "Dune", "branch": "Northside"})
    assert not repeats({"title": "Dune"}, None)


def test_an_argument_the_earlier_call_did_not_have_is_a_change():
    assert not repeats({"title": "Dune", "format": "ebook"}, {"title": "Dune"})


def test_an_argument_left_out_of_both_calls_changes_nothing():
    assert repeats({"song": "Dreams", "artist": None}, {"song": "Dreams"})


def test_spans_are_runs_of_the_request_s_words_within_a_sentence():
    spans = _spans("what about Children of Dune? Thanks")
    assert "Children of Dune" in spans and "what about" in spans
    assert not any("Thanks" in s and "Dune" in s for s in spans)
