"""Arguments from the conversation, one call per value and follow-ups, with the REAL embedded model
on a user's own tools (nothing here is finance)."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import Message, ToolCall, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import MUSIC, TRAVEL, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, calls, pinned_choice  # noqa: E402

pytestmark = EMBEDDED_MODEL

WEATHER = ToolSpec(
    "weather_forecast", "The weather forecast for a city over the next days.",
    {"type": "object", "properties": {"city": {"type": "string", "description": "The city, e.g. Paris"}}, "required": ["city"],
     "additionalProperties": False},
)
ORDER = ToolSpec(
    "order_status", "Where an order is and when it arrives.",
    {"type": "object", "properties": {"order_id": {"type": "string", "description": "The order number, e.g. X100"}},
     "required": ["order_id"], "additionalProperties": False},
)
FLIGHTS = ToolSpec(
    "flight_search", "Search flights from one city to another.",
    {"type": "object", "properties": {"origin": {"type": "string", "description": "City of departure"},
                                      "destination": {"type": "string", "description": "City of arrival"}},
     "required": ["origin", "destination"], "additionalProperties": False},
)


@pytest.fixture(scope="module")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2)


def test_a_string_argument_is_a_span_of_the_request_never_the_description_example(llm):
    out = calls(llm, [Message.user("Where is my order B7731? It is late.")], [ORDER])
    assert out == [("order_status", {"order_id": "B7731"})]


def test_one_call_per_value_in_the_order_written(llm):
    out = calls(llm, [Message.user("What's the weather in Lisbon and in Porto?")], [WEATHER])
    assert out == [("weather_forecast", {"city": "Lisbon"}), ("weather_forecast", {"city": "Porto"})]


def test_one_value_is_one_call(llm):
    assert calls(llm, [Message.user("What will the weather be like in Madrid?")], [WEATHER]) == [("weather_forecast", {"city": "Madrid"})]


def test_values_pair_as_written_on_the_travel_domain(llm):
    """The example app's six orchestrations (their descriptions and examples), through the Agent."""
    pinned_choice()
    agent = agent_on(llm, TRAVEL)
    outcome = asyncio.run(agent.route("Flights from Boston to Denver and from Chicago to Miami", agent.new_session()))
    assert [(r.name, r.arguments()["origin"], r.arguments()["destination"]) for r in outcome.routes] == [
        ("flight_search", "Boston", "Denver"), ("flight_search", "Chicago", "Miami")]


def test_an_item_written_before_the_value_the_model_chose_first_is_called_too(llm):
    # the model wrote Wonderwall first and scored Dreams 2.9 nats below repeating it (the margin is 3)
    agent = agent_on(llm, MUSIC)
    outcome = asyncio.run(agent.route("play Dreams and then Wonderwall", agent.new_session()))
    assert sorted(r.arguments()["query"] for r in outcome.routes if r.name == "play_music") == ["Dreams", "Wonderwall"]


def test_a_follow_up_continues_the_earlier_call(llm):
    earlier = ToolCall("c1", "weather_forecast", json.dumps({"city": "Oslo"}))
    history = [Message.user("What's the weather in Oslo?"), Message.assistant(None, [earlier]),
               Message.tool(earlier, "(shown)"), Message.assistant("Cold and dry.")]
    out = calls(llm, [*history, Message.user("And in Bergen?")], [WEATHER, ORDER], choice="auto")
    assert out == [("weather_forecast", {"city": "Bergen"})]
    # without the earlier call, the same two words are no request for the forecast
    assert calls(llm, [Message.user("And in Bergen?")], [WEATHER, ORDER], choice="auto") == []


HOURS = ToolSpec(
    "branch_hours", "Opening hours of a library branch on a day of the week.",
    {"type": "object", "properties": {
        "branch": {"type": "string", "description": "The branch's name"},
        "day": {"type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}},
     "required": ["branch", "day"], "additionalProperties": False},
)


def test_one_call_per_choice_named(llm):
    """A string enum the request names two values of, as items of a list: a call for each."""
    out = calls(llm, [Message.user("Is Hillcrest open on Saturday and Sunday?")], [HOURS])
    assert out == [("branch_hours", {"branch": "Hillcrest", "day": "saturday"}), ("branch_hours", {"branch": "Hillcrest", "day": "sunday"})]
    assert calls(llm, [Message.user("Is Hillcrest open on Sunday?")], [HOURS]) == [("branch_hours", {"branch": "Hillcrest", "day": "sunday"})]
