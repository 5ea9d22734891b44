"""Names a request writes (`_local/names.py`), without the model."""

from __future__ import annotations

import re

from agent.llm._local.names import in_name_gap, inside_names, joined_names, name_continues, names_written
from agent.llm._local.spans import NO_RULES, SpanRules, span_pattern


def test_a_name_is_a_run_of_capitalised_words_side_by_side():
    assert names_written("and now some Queen") == ["Queen"]
    assert names_written("save Take Five to my Road Trip playlist") == ["Take Five", "Road Trip"]
    assert names_written("Play it. Now Jude") == ["Jude", "Now Jude"]  # a sentence's first word may or may not be one
    assert names_written("Bohemian Rhapsody please") == ["Rhapsody", "Bohemian Rhapsody"]  # a sentence's first word may be one
    assert names_written("send it to Alice (Bob) too") == ["Alice", "Bob"]
    assert names_written("could I see Dune") == ["Dune"]  # a one-letter word is no name
    assert names_written("weather in New York City, Oslo and Bergen?") == ["New York City", "Oslo", "Bergen"]


def test_words_in_capitals_and_punctuation_part_names():
    assert name_continues("Compare AAPL MSFT".split()) == [False, False, False]
    assert name_continues("Tomorrow, Tomorrow".split()) == [False, False]
    assert name_continues("put Hiring sync on".split()) == [False, False, False, False]


def test_names_join_across_a_few_lower_case_words():
    assert joined_names("same for Here Comes the Sun") == ["Here Comes", "Sun", "Here Comes the Sun"]
    assert "Rio de Janeiro" in joined_names("what about Rio de Janeiro?")
    assert joined_names("from London, then Oslo") == ["London", "Oslo"]  # a comma parts them
    assert joined_names("at 5 PM with Alice") == ["PM", "Alice"]  # words in capitals join nothing


def test_no_span_starts_or_ends_inside_a_name():
    text = "save Take Five to my Road Trip playlist"
    whole = re.compile(span_pattern(text, rules=SpanRules(whole_names=True)))
    loose = re.compile(span_pattern(text, rules=NO_RULES))
    for cut in ("Five", "Take", "Trip", "Road", "Five to my Road Trip"):
        assert not whole.fullmatch(cut) and loose.fullmatch(cut), cut
    for kept in ("Take Five", "Road Trip", "Road Trip playlist", "save"):
        assert whole.fullmatch(kept), kept


def test_no_span_starts_at_a_joining_word_between_two_names():
    joining = frozenset({"the", "and", "at"})
    assert in_name_gap("Play Here Comes the Sun".split(), joining) == [False, False, False, True, False]
    assert in_name_gap("Compare Microsoft and Apple".split(), joining) == [False, False, True, False]
    assert not any(in_name_gap("from London, and then Oslo".split(), joining))  # a comma parts them
    assert not any(in_name_gap("lunch with Alice tomorrow at Luigi".split(), joining))  # "tomorrow" joins nothing
    pattern = re.compile(span_pattern("Play Here Comes the Sun", rules=SpanRules(not_last=joining, whole_names=True)))
    assert not pattern.fullmatch("the Sun") and pattern.fullmatch("Here Comes the Sun") and pattern.fullmatch("Sun")


def test_a_name_whose_first_word_starts_no_span_keeps_its_inner_starts():
    assert inside_names("what about Take Five".split(), [True, True, False, True], 6) == [False] * 4
    assert inside_names("what about Take Five".split(), [True] * 4, 6) == [False, False, False, True]
    pattern = re.compile(span_pattern("play Get Lucky", rules=SpanRules(not_first=frozenset({"get"}), whole_names=True)))
    assert pattern.fullmatch("Lucky")
