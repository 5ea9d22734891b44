"""Issue 29: a call carries only its own function's arguments, whatever the schema's `strict` says.

Two non-strict tools with no `additionalProperties` are offered to a real `finagent serve` through
the official openai SDK; under every `tool_choice`, streamed and not, each call's arguments are
a subset of its own function's properties (before the fix, `get_weather` got the other tool's
`symbol`). A non-strict `json_schema` response format with `properties` is closed the same way.
"""

from __future__ import annotations

import json

import openai
import pytest

pytestmark = [pytest.mark.server, pytest.mark.local_model]

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Current weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                   "required": ["city"]}}}
PRICE = {"type": "function", "function": {
    "name": "get_stock_price", "description": "Latest stock price quote for a ticker symbol",
    "parameters": {"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]}}}
DECLARED = {"get_weather": {"city", "unit"}, "get_stock_price": {"symbol"}}
ASK = [{"role": "user", "content": "What's the weather in Paris in celsius?"}]
CHOICES = ["auto", "required", {"type": "function", "function": {"name": "get_weather"}}]


@pytest.fixture(scope="module")
def client(serve):
    c = openai.OpenAI(base_url=serve.base_url, api_key="unused", max_retries=0, timeout=120)
    yield c
    c.close()


def calls_of(client, tool_choice, stream: bool) -> list[tuple[str, dict]]:
    kw = dict(model="local", messages=ASK, tools=[WEATHER, PRICE], tool_choice=tool_choice, max_tokens=48)
    if not stream:
        message = client.chat.completions.create(**kw).choices[0].message
        return [(c.function.name, json.loads(c.function.arguments)) for c in message.tool_calls or []]
    names: dict[int, str] = {}
    arguments: dict[int, str] = {}
    for chunk in client.chat.completions.create(**kw, stream=True):
        for delta in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            if delta.function and delta.function.name:
                names[delta.index] = delta.function.name
            if delta.function and delta.function.arguments:
                arguments[delta.index] = arguments.get(delta.index, "") + delta.function.arguments
    return [(names[i], json.loads(arguments.get(i) or "{}")) for i in sorted(names)]


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
@pytest.mark.parametrize("tool_choice", CHOICES, ids=["auto", "required", "named"])
def test_a_call_carries_only_its_own_functions_arguments(client, tool_choice, stream):
    calls = calls_of(client, tool_choice, stream)
    if tool_choice != "auto":
        assert calls, "required and named choices always call"
    if isinstance(tool_choice, dict):
        assert [name for name, _ in calls] == ["get_weather"]
    for name, arguments in calls:
        assert set(arguments) <= DECLARED[name], f"{name} got {sorted(set(arguments) - DECLARED[name])}"
        if name == "get_weather":
            assert arguments.get("city") == "Paris"


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "streamed"])
def test_a_non_strict_response_format_with_properties_is_closed(client, stream):
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    kw = dict(model="local", max_tokens=40, messages=[{"role": "user", "content": "Which city is the capital of France? Also give its population."}],
              response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": schema, "strict": False}})
    if stream:
        text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(**kw, stream=True) if c.choices)
    else:
        text = client.chat.completions.create(**kw).choices[0].message.content
    assert set(json.loads(text)) == {"city"}
