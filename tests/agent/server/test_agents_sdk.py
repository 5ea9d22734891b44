"""A real agent client, the `openai-agents` SDK, drives `finagent serve` (the embedded model) on
127.0.0.1: a tool call, the tool's result answered in text (the loop ends), no call for chit-chat."""

from __future__ import annotations

import pytest

agents = pytest.importorskip("agents")
from openai import AsyncOpenAI  # noqa: E402

pytestmark = [pytest.mark.local_model]

CALLS: list[tuple[int, int]] = []


@agents.function_tool
def add(a: int, b: int) -> int:
    """Add two whole numbers and return their sum.

    Args:
        a: The first number.
        b: The second number.
    """
    CALLS.append((a, b))
    return a + b


@agents.function_tool
def get_weather(city: str) -> str:
    """Get the current weather in a city.

    Args:
        city: The city name, e.g. Paris.
    """
    return f"Sunny and 21 degrees in {city}."


@pytest.fixture
def sdk_agent(serve):
    """A fresh client per test: an AsyncOpenAI client belongs to the event loop of its test."""
    agents.set_tracing_disabled(True)
    client = AsyncOpenAI(base_url=serve.base_url, api_key="not-needed", max_retries=0, timeout=300)
    model = agents.OpenAIChatCompletionsModel(model="local", openai_client=client)
    return agents.Agent(name="assistant", instructions="You are a helpful assistant. Use a tool when one helps.",
                        tools=[add, get_weather], model=model,
                        model_settings=agents.ModelSettings(max_tokens=48))


def _tool_calls(result) -> list:
    return [item for item in result.new_items if isinstance(item, agents.ToolCallItem)]


async def test_a_sum_is_one_call_then_an_answer_in_text(sdk_agent):
    CALLS.clear()
    result = await agents.Runner.run(sdk_agent, "What is 17 plus 25?", max_turns=4)
    assert CALLS == [(17, 25)]
    assert len(_tool_calls(result)) == 1
    outputs = [i for i in result.new_items if isinstance(i, agents.ToolCallOutputItem)]
    assert [o.output for o in outputs] == [42]
    assert isinstance(result.final_output, str) and result.final_output.strip()


async def test_the_weather_tool_gets_the_city(sdk_agent):
    result = await agents.Runner.run(sdk_agent, "What's the weather in Paris?", max_turns=4)
    calls = _tool_calls(result)
    assert len(calls) == 1 and calls[0].raw_item.name == "get_weather" and "Paris" in calls[0].raw_item.arguments
    assert result.final_output.strip()


async def test_chit_chat_gets_no_call(sdk_agent):
    CALLS.clear()
    result = await agents.Runner.run(sdk_agent, "Tell me a joke about cats.", max_turns=4)
    assert _tool_calls(result) == [] and CALLS == []
    assert isinstance(result.final_output, str) and result.final_output.strip()
