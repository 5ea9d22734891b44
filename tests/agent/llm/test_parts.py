"""Splitting a request into its parts (the local backend picks one function per part)."""

from __future__ import annotations

import pytest

from agent.llm._local.parts import asks, split_request

HEADLINE = (
    "Considering the current economic climate, analyze the banking sector trends for the next 2 years and provide a "
    "comparative strategic investment analysis for JPMorgan Chase (JPM) and Bank of America (BAC)."
)


def test_the_headline_question_has_two_parts():
    assert split_request(HEADLINE) == [
        "Considering the current economic climate, analyze the banking sector trends for the next 2 years",
        "provide a comparative strategic investment analysis for JPMorgan Chase (JPM) and Bank of America (BAC).",
    ]


@pytest.mark.parametrize("query", [
    "Compare Microsoft and Apple over the next 5 years",  # "and" between nouns
    "Analyze and forecast the trends in the artificial intelligence industry.",  # a bare verb shares the object
    "Compare MSFT and GOOGL, including a competitive analysis of both companies.",
    "How financially healthy is Johnson & Johnson (JNJ)?",
    "Tell me about U.S. Bancorp and its peers.",  # abbreviations are not sentence ends
])
def test_one_request_stays_one_part(query):
    assert split_request(query) == [query]


def test_sentences_and_verb_clauses_are_parts():
    parts = split_request(
        "Evaluate AI's impact on tech over 5 years. Based on this, perform a competitive analysis of NVIDIA (NVDA) "
        "and provide a strategic investment recommendation."
    )
    assert parts == [
        "Evaluate AI's impact on tech over 5 years.",
        "Based on this, perform a competitive analysis of NVIDIA (NVDA)",
        "provide a strategic investment recommendation.",
    ]
    assert split_request("Analyze AAPL; then give me its health") == ["Analyze AAPL", "give me its health"]
    assert split_request("Get the price of AAPL. Get the price of MSFT.") == ["Get the price of AAPL.", "Get the price of MSFT."]


def test_context_that_asks_nothing_joins_the_next_part():
    query = "I have $20,000 to invest with a low risk tolerance. Recommend a portfolio across healthcare and utilities."
    assert split_request(query) == [query]
    assert split_request("Hello! What can you do?") == ["Hello! What can you do?"]
    # trailing context goes to the last part
    assert split_request("Analyze JPM. Thanks a lot.") == ["Analyze JPM. Thanks a lot."]


def test_whitespace_is_normalised_and_empty_has_no_parts():
    assert split_request("  analyze   JPM \n and  compare it with BAC ") == ["analyze JPM", "compare it with BAC"]
    assert split_request(" \n\t") == []


@pytest.mark.parametrize("clause, expected", [
    ("Provide a sector analysis", True),
    ("please compare JPM with BAC", True),
    ("Considering the climate, analyze banks", True),
    ("What is a P/E ratio?", True),
    ("I'd like a portfolio", True),
    ("I have $20,000 to invest", False),
    ("Thanks a lot.", False),
])
def test_what_asks_for_something(clause, expected):
    assert asks(clause) is expected
