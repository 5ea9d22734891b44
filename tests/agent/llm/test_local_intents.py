"""Several intents with the REAL embedded model, on a user's own domain (the example travel app)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import TRAVEL, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def agent():
    return agent_on(LlamaCppChat(n_threads=2), TRAVEL)


QUERY = "Will it rain in Dublin this week, and how much is 300 EUR in GBP?"


@pytest.fixture(scope="module")
def routes(agent):
    outcome = asyncio.run(agent.route(QUERY, agent.new_session()))
    assert outcome.error is None
    return [(r.name, r.arguments()) for r in outcome.routes]


def test_a_request_for_two_functions_calls_both_in_the_order_asked(routes):
    assert list(dict.fromkeys(name for name, _ in routes)) == ["weather_forecast", "currency_conversion"]
    assert routes[0][1]["city"] == "Dublin"


def test_each_call_takes_its_arguments_from_its_own_part(routes):
    # failed before LlamaCppChat read each call from its own part: days=300, from_currency='Dublin'
    assert routes == [("weather_forecast", {"city": "Dublin", "days": 3}),
                      ("currency_conversion", {"amount": 300.0, "from_currency": "EUR", "to_currency": "GBP"})]


def test_a_part_that_names_no_value_takes_the_one_the_other_part_named(agent):
    # was weather_forecast(city="there"), then a third call, city="me": the part's own words only; the hotel's city is scored too
    outcome = asyncio.run(agent.route("Find a hotel in Athens for 3 nights and tell me the weather there", agent.new_session()))
    routes = [(r.name, r.arguments()) for r in outcome.routes]
    assert routes == [("hotel_search", {"city": "Athens", "nights": 3}), ("weather_forecast", {"city": "Athens", "days": 3})]

