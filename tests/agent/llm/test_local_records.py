"""Several values paired as written, one choice for one argument, list items and whole values, with
the REAL embedded model on the domains written blind (the kitchen assistant and the music player,
as the README tells a user to write them): the misses their first runs showed."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import KITCHEN, MUSIC, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def llm():
    return LlamaCppChat(n_threads=2, context="records-test")


@pytest.fixture(scope="module")
def kitchen(llm):
    return agent_on(llm, KITCHEN)


def route(agent, request: str) -> list[tuple[str, dict]]:
    outcome = asyncio.run(agent.route(request, agent.new_session()))
    return [(r.name, r.arguments()) for r in outcome.routes]


def test_records_of_values_give_a_call_each_paired_as_written(kitchen):
    got = route(kitchen, "scale Pad Thai for 4 and Guacamole for 12")
    assert sorted((a["recipe"], a["servings"]) for _, a in got) == [("Guacamole", 12), ("Pad Thai", 4)]
    got = route(kitchen, "start two timers, one for 5 minutes and one for 30 minutes")
    assert sorted(a["minutes"] for _, a in got) == [5, 30]


def test_one_named_unit_is_one_argument_s(kitchen):
    got = route(kitchen, "convert 2 pounds to kilograms, then add butter to my shopping list")
    assert [(n, a.get("from_unit"), a.get("to_unit")) for n, a in got if n == "convert_units"] == [("convert_units", "pounds", "kilograms")]


def test_the_unit_beside_the_amount_is_converted_from_and_stays_in_a_follow_up(kitchen):
    assert route(kitchen, "how many millilitres is 3 cups?") == [("convert_units", {"amount": 3.0, "from_unit": "cups", "to_unit": "millilitres"})]
    session = kitchen.new_session()
    session.memory.add_turn("convert 250 grams to pounds", "0.55 pounds.",
                            [{"name": "convert_units", "arguments": {"amount": 250, "from_unit": "grams", "to_unit": "pounds"}}])
    outcome = asyncio.run(kitchen.route("and in ounces?", session))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [("convert_units", {"amount": 250.0, "from_unit": "grams", "to_unit": "ounces"})]


def test_a_choice_is_its_argument_s_and_a_list_of_choices_a_call_each(kitchen):
    got = route(kitchen, "find Thai and Italian recipes")
    assert sorted(a["cuisine"] for _, a in got) == ["italian", "thai"]
    assert all(a.get("ingredient") is None for _, a in got)


def test_list_items_part_at_a_joining_word(kitchen):
    assert route(kitchen, "add olive oil and garlic to my shopping list") == [("add_to_shopping_list", {"items": ["olive oil", "garlic"]})]


def test_a_greeting_that_names_nothing_gets_no_call(kitchen):
    assert route(kitchen, "good morning!") == []


def test_a_decoded_value_no_likely_start_reached_is_scored_whole(llm):
    music = agent_on(llm, MUSIC)
    assert route(music, "add Clair de Lune to Focus") == [("add_to_playlist", {"song": "Clair de Lune", "playlist": "Focus"})]
    # "shuffle" names the flag; it starts no value
    assert route(music, "shuffle my Focus playlist")[0][1]["query"] == "Focus"
