"""The model's most frequent words, read off the REAL embedded model's tokenizer: the words that
join a value to what follows, not the values themselves."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")

from agent.llm._local.frequent import frequent_words  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def runner():
    return LlamaCppChat(n_threads=2, context="frequent-test")._loaded.runner


def test_joining_words_are_frequent_and_values_are_not(runner):
    text = "put Car service for Saturday at 8:30am, and the yoga class on Friday with Sam; design review (today)"
    assert frequent_words(runner, text) == {"for", "at", "and", "the", "on", "with"}


def test_only_words_written_in_small_letters_count(runner):
    # "The" and "AT" are written otherwise: a title's first word, an acronym
    assert frequent_words(runner, "The Women AT&T At") == frozenset()
    assert frequent_words(runner, "") == frozenset()


@pytest.fixture(scope="module")
def calendar():
    pytest.importorskip("llguidance")
    from tests.agent.llm.domains import CALENDAR, agent_on

    return agent_on(LlamaCppChat(n_threads=2, context="frequent-routes"), CALENDAR)


@pytest.mark.parametrize(("query", "title", "date"), [
    ("Put Car service on Saturday at 8:30am", "Car service", "Saturday"),
    ("add Dentist checkup for Monday at 9am", "Dentist checkup", "Monday"),
])
def test_an_event_s_title_and_day_end_before_the_word_that_joins_them_to_the_next_value(calendar, query, title, date):
    # without the rule: title "Saturday at" and date "service"; title "for" and date "Monday at"
    import asyncio

    outcome = asyncio.run(calendar.route(query, calendar.new_session()))
    [(name, args)] = [(r.name, r.arguments()) for r in outcome.routes]
    assert name == "create_event" and args["title"] == title and args["date"] == date
