"""A follow-up changes the value it names, with the REAL embedded model on a user's own
orchestrations (the library and travel domains, written as the README tells a user to): left alone,
the model copies the earlier call whole ("Dune" is a span of "Children of Dune" too), or keeps an
earlier turn's value where the new message writes another ("... in EUR?" after "... to USD"), or
takes a word of the new message where it refers to an earlier value ("place a hold on it")."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import LIBRARY, MUSIC, TRAVEL, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, pinned_choice  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def agent():
    return agent_on(LlamaCppChat(n_threads=2, context="follow-ups-test"), LIBRARY)


def route(agent, then: str) -> list[tuple[str, dict]]:
    session = agent.new_session()
    session.memory.add_turn("is Dune available at Northside?", "Yes, 2 copies.",
                            [{"name": "check_availability", "arguments": {"title": "Dune", "branch": "Northside"}}])
    outcome = asyncio.run(agent.route(then, session))
    return [(r.name, r.arguments()) for r in outcome.routes]


def test_a_follow_up_takes_the_value_it_names(agent):
    pinned_choice()
    assert route(agent, "what about Children of Dune?") == [("check_availability", {"title": "Children of Dune", "branch": "Northside"})]


def test_a_follow_up_keeps_what_it_does_not_change(agent):
    assert route(agent, "and at Eastside?") == [("check_availability", {"title": "Dune", "branch": "Eastside"})]


def test_a_follow_up_that_refers_to_an_earlier_value_takes_it(agent):
    session = agent.new_session()
    session.memory.add_turn("is Piranesi in at Eastside?", "Here is what I found.",
                            [{"name": "check_availability", "arguments": {"title": "Piranesi", "branch": "Eastside"}}])
    outcome = asyncio.run(agent.route("great, place a hold on it", session))
    assert [(r.name, r.arguments()["title"]) for r in outcome.routes] == [("place_hold", "Piranesi")]
    named = asyncio.run(agent.route("and place a hold on Circe", session))
    assert [(r.name, r.arguments()["title"]) for r in named.routes] == [("place_hold", "Circe")]  # a value it names stays


def test_a_name_written_for_an_unstated_argument_leaves_the_earlier_value_to_the_one_it_refers_to(agent):
    # decoded word by word: title="Eastside" and the default pickup branch; the model scores the
    # call with Piranesi back in the title and Eastside as the branch 2.6 nats likelier
    session = agent.new_session()
    session.memory.add_turn("is Piranesi available anywhere?", "Yes, at two branches.",
                            [{"name": "check_availability", "arguments": {"title": "Piranesi", "branch": None}}])
    outcome = asyncio.run(agent.route("could you hold it for me at Eastside?", session))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [("place_hold", {"title": "Piranesi", "pickup_branch": "Eastside"})]


def test_a_name_the_message_writes_goes_to_the_unstated_argument_not_over_the_earlier_value(agent):
    # decoded: title "Circe" (the earlier turn's); the message's "Riverside" replaced it (1.6 nats
    # below the call as decoded); as the pickup branch instead, with Circe kept, 4.2 nats likelier
    session = agent.new_session()
    session.memory.add_turn("do you have Circe as an audiobook?", "Circe is not in as an audiobook.",
                            [{"name": "search_catalogue", "arguments": {"query": "Circe", "format": "audiobook"}}])
    outcome = asyncio.run(agent.route("can I put a hold on it at Riverside?", session))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [("place_hold", {"title": "Circe", "pickup_branch": "Riverside"})]


def test_a_follow_up_takes_the_value_its_own_message_writes_over_an_earlier_turns():
    travel = agent_on(LlamaCppChat(n_threads=2, context="follow-ups-test"), TRAVEL)
    session = travel.new_session()
    session.memory.add_turn("Convert 300 EUR to USD", "300 EUR is 348.90 USD.",
                            [{"name": "currency_conversion", "arguments": {"amount": 300, "from_currency": "EUR", "to_currency": "USD"}}])
    outcome = asyncio.run(travel.route("How much is 120 GBP in EUR?", session))
    assert [(r.name, r.arguments()) for r in outcome.routes] == \
        [("currency_conversion", {"amount": 120, "from_currency": "GBP", "to_currency": "EUR"})]


@pytest.fixture(scope="module")
def music():
    return agent_on(LlamaCppChat(n_threads=2, context="follow-ups-test"), MUSIC)


def test_a_follow_up_takes_a_name_it_writes_however_likely_the_model_finds_the_repeat(music):
    # the model scored "Queen" 4.5 nats below a copy of "Take Five", and "Here Comes the Sun" 2.7 below "Dreams"
    session = music.new_session()
    session.memory.add_turn("Play Take Five", "Playing.", [{"name": "play_music", "arguments": {"query": "Take Five", "kind": "song", "shuffle": False}}])
    outcome = asyncio.run(music.route("and now some Queen", session))
    assert [(r.name, r.arguments()["query"]) for r in outcome.routes] == [("play_music", "Queen")]
    session = music.new_session()
    session.memory.add_turn("show the lyrics of Dreams", "Here they are.", [{"name": "show_lyrics", "arguments": {"song": "Dreams"}}])
    outcome = asyncio.run(music.route("same for Here Comes the Sun", session))
    assert [(r.name, r.arguments()["song"]) for r in outcome.routes] == [("show_lyrics", "Here Comes the Sun")]


def test_a_value_is_not_cut_out_of_a_name_nor_given_to_two_arguments(music):
    outcome = asyncio.run(music.route("save Take Five to my Road Trip playlist", music.new_session()))
    assert [(r.name, r.arguments()) for r in outcome.routes] == [("add_to_playlist", {"song": "Take Five", "playlist": "Road Trip"})]


def test_a_follow_up_whose_number_is_out_of_another_function_s_bounds_continues_the_earlier_call(music):
    session = music.new_session()
    session.memory.add_turn("search for jazz", "Found 3.", [{"name": "search_music", "arguments": {"query": "jazz", "kind": "any"}}])
    outcome = asyncio.run(music.route("only the ones from 1959", session))
    assert [(r.name, r.arguments()["query"], r.arguments()["year"]) for r in outcome.routes] == [("search_music", "jazz", 1959)]


def test_a_name_given_to_the_wrong_argument_moves_to_the_one_holding_an_earlier_value():
    travel = agent_on(LlamaCppChat(n_threads=2, context="follow-ups-test"), TRAVEL)
    session = travel.new_session()
    session.memory.add_turn("Flights from Boston to Denver", "Two flights.",
                            [{"name": "flight_search", "arguments": {"origin": "Boston", "destination": "Denver"}}])
    outcome = asyncio.run(travel.route("What about to Miami instead?", session))  # decoded Miami to Denver
    assert [(r.name, r.arguments()["origin"], r.arguments()["destination"]) for r in outcome.routes] == [("flight_search", "Boston", "Miami")]


def test_a_follow_up_takes_the_last_turn_s_value_over_an_older_one(agent):
    session = agent.new_session()
    session.memory.add_turn("Is Dune available at Northside?", "Yes.",
                            [{"name": "check_availability", "arguments": {"title": "Dune", "branch": "Northside"}}])
    session.memory.add_turn("When is Westgate open on Friday?", "9 to 5.",
                            [{"name": "branch_hours", "arguments": {"branch": "Westgate", "day": "friday"}}])
    outcome = asyncio.run(agent.route("is Dune available there?", session))  # was Northside, the older turn's
    assert [(r.name, r.arguments()) for r in outcome.routes] == [("check_availability", {"title": "Dune", "branch": "Westgate"})]
