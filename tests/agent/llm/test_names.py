"""Names a request writes (`_local/names.py`), without the model."""

from __future__ import annotations

import re

from agent.llm._local.names import in_name_gap, joined_names, name_continues, names_written
from agent.llm._local.spans import NO_RULES, SpanRules, span_pattern


def test_a_name_is_a_run_of_capitalised_words_where_no_sentence_starts():
    assert names_written("and now some Queen") == ["Queen"]
    assert names_written("save Take Five to my Road Trip playlist") == ["Take Five", "Road Trip"]
    assert names_written("Play it. Now Jude") == ["Jude"]  # "Play", "Now": capitalised as a sentence's first words
    assert names_written("weather in New York City, Oslo and Bergen?") == ["New York City", "Oslo", "Bergen"]


def test_words_in_capitals_and_punctuation_part_names():
    assert name_continues("Compare AAPL MSFT".split()) == [False, False, False]
    assert name_continues("Tomorrow, Tomorrow".split()) == [False, False]
    assert name_continues("put Hiring sync on".split()) == [False, False, False, False]


def test_names_join_across_a_few_lower_case_words():
    assert joined_names("same for Here Comes the Sun") == ["Here Comes", "Sun", "Here Comes the Sun"]
    assert "Rio de Janeiro" in joined_names("what about Rio de Janeiro?")
    assert joined_names("from London, then Oslo") == ["London", "Oslo"]  # a comma parts them


def test_no_span_starts_or_ends_inside_a_name():
    text = "save Take Five to my Road Trip playlist"
    whole = re.compile(span_pattern(text, rules=SpanRules(whole_names=True)))
    loose = re.compile(span_pattern(text, rules=NO_RULES))
    for cut in ("Five", "Take", "Trip", "Road", "Five to my Road Trip"):
        assert not whole.fullmatch(cut) and loose.fullmatch(cut), cut
    for kept in ("Take Five", "Road Trip", "Road Trip playlist", "save"):
        assert whole.fullmatch(kept), kept


def test_no_span_starts_between_two_names():
    assert in_name_gap("Play Here Comes the Sun".split()) == [False, False, False, True, False]
    assert in_name_gap("Compare Microsoft and Apple".split()) == [False, False, True, False]
    assert not any(in_name_gap("from London, and then Oslo".split()))  # a comma parts them
    pattern = re.compile(span_pattern("Play Here Comes the Sun", rules=SpanRules(whole_names=True)))
    assert not pattern.fullmatch("the Sun") and pattern.fullmatch("Here Comes the Sun") and pattern.fullmatch("Sun")
