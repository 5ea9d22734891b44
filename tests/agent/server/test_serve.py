"""`finagent serve` as a real subprocess with the embedded model, over real HTTP, through
`OpenAIChat` and the official `openai` client."""

from __future__ import annotations

import json

import openai
import pytest

from agent.llm import LLMConnectionError, LLMRequest, Message, ToolSpec
from agent.llm.openai import OpenAIChat

from .conftest import finagent_serve, free_port

pytestmark = [pytest.mark.server, pytest.mark.local_model]

PRICE = ToolSpec("get_stock_price", "Latest stock price quote for a ticker symbol",
                 {"type": "object", "properties": {"symbol": {"type": "string", "description": "Ticker, e.g. AAPL"}},
                  "required": ["symbol"], "additionalProperties": False})
WEATHER = ToolSpec("get_weather", "Current weather in a city",
                   {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False})
ASK = [Message.user("What is the latest stock price of Apple (AAPL)?")]


def chat(server, **kw) -> OpenAIChat:
    kw.setdefault("max_retries", 0)
    return OpenAIChat("local", api_key="unused", base_url=server.base_url, timeout=120, **kw)


def valid_call(call, names):
    assert call.name in names
    arguments = call.parsed_arguments()
    assert isinstance(arguments, dict)
    return arguments


async def test_tool_choice_required_and_named_and_none(serve):
    llm = chat(serve)
    required = await llm.complete(LLMRequest(ASK, [PRICE, WEATHER], "required", max_tokens=32))
    assert required.finish_reason in ("tool_calls", "length") and required.tool_calls
    for c in required.tool_calls:
        valid_call(c, {"get_stock_price", "get_weather"})
    assert required.usage.prompt_tokens > 0 and required.usage.completion_tokens > 0

    named = await llm.complete(LLMRequest(ASK, [PRICE, WEATHER], "get_weather", max_tokens=32))
    assert [c.name for c in named.tool_calls] == ["get_weather"]
    assert "city" in named.tool_calls[0].parsed_arguments()

    none = await llm.complete(LLMRequest(ASK, [PRICE, WEATHER], "none", max_tokens=16))
    assert not none.tool_calls and none.text.strip()
    await llm.aclose()


async def test_tool_choice_auto_routes_or_answers_validly(serve):
    llm = chat(serve)
    auto = await llm.complete(LLMRequest(ASK, [PRICE, WEATHER], "auto", max_tokens=32))
    if auto.tool_calls:
        assert auto.finish_reason in ("tool_calls", "length")
        args = valid_call(auto.tool_calls[0], {"get_stock_price", "get_weather"})
        if auto.tool_calls[0].name == "get_stock_price":
            assert "symbol" in args
    else:
        assert auto.text.strip() and auto.finish_reason in ("stop", "length")
    await llm.aclose()


async def test_agent_routes_to_an_orchestration_through_the_server(serve):
    """The finagent driver itself, with the served model as its backend."""
    from tests.agent.llm.embedded import pinned_choice

    pinned_choice()
    from agent import Agent
    from agent import ground_query, load_defaults
    from agent.chat import CappedLLM

    load_defaults()
    llm = chat(serve)
    agent = Agent(llm, grounder=ground_query)
    agent.analysis_llm = CappedLLM(llm, 16)
    reply = await agent.achat("Compare JPMorgan Chase (JPM) and Bank of America (BAC) over the next 2 years.")
    assert reply.ok, reply.error
    assert reply.calls, "the model answered without routing"
    assert all(c["name"] in agent.orchestrations for c in reply.calls)
    assert reply.tool_calls and reply.text.strip()
    assert reply.usage.total_tokens > 0
    await llm.aclose()


async def test_multi_turn_with_a_tool_result(serve):
    llm = chat(serve)
    first = await llm.complete(LLMRequest(ASK, [PRICE], "get_stock_price", max_tokens=32))
    call = first.tool_calls[0]
    messages = [*ASK, first.message, Message.tool(call, json.dumps({"symbol": "AAPL", "price": 168.22}))]
    second = await llm.complete(LLMRequest(messages, [PRICE], "none", max_tokens=24))
    assert second.text.strip() and not second.tool_calls
    await llm.aclose()


async def test_streamed_answer_and_streamed_tool_call_with_the_openai_client(serve):
    client = openai.AsyncOpenAI(api_key="unused", base_url=serve.base_url, max_retries=0)
    stream = await client.chat.completions.create(
        model="local", messages=[{"role": "user", "content": "Say hello in one short sentence."}], stream=True, max_tokens=16)
    chunks = [c async for c in stream]
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2, "the answer did not stream"
    assert text.strip()
    assert chunks[-1].choices[0].finish_reason in ("stop", "length") and chunks[-1].usage.completion_tokens > 0

    tools = [{"type": "function", "function": PRICE.to_dict()}]
    stream = await client.chat.completions.create(
        model="local", messages=[{"role": "user", "content": "Price of AAPL?"}], tools=tools, stream=True, max_tokens=32,
        tool_choice={"type": "function", "function": {"name": "get_stock_price"}})
    chunks = [c async for c in stream]
    deltas = [tc for c in chunks if c.choices for tc in c.choices[0].delta.tool_calls or []]
    assert deltas[0].index == 0 and deltas[0].id and deltas[0].type == "function"
    assert deltas[0].function.name == "get_stock_price"
    assert "symbol" in json.loads("".join(d.function.arguments or "" for d in deltas))
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    # OpenAIChat assembles the same deltas
    llm = chat(serve)
    pieces = [p async for p in llm.stream(LLMRequest([Message.user("Price of AAPL?")], [PRICE], "required", max_tokens=32))]
    assert pieces[-1].response.tool_calls[0].name == "get_stock_price"
    await client.close()
    await llm.aclose()


async def test_bad_request_is_a_clear_400(serve):
    client = openai.AsyncOpenAI(api_key="unused", base_url=serve.base_url, max_retries=0)
    with pytest.raises(openai.BadRequestError) as info:
        await client.chat.completions.create(model="local", messages=[{"role": "user", "content": "x"}],
                                             tools=[{"type": "function", "function": PRICE.to_dict()}],
                                             tool_choice={"type": "function", "function": {"name": "missing"}})
    assert "missing" in str(info.value)
    await client.close()


async def test_server_stopped_mid_session_then_restarted_on_the_same_port(gguf):
    port = free_port()
    server = finagent_serve(port)
    try:
        server.start()
        llm = chat(server, max_retries=1, deadline=10, backoff=0.05)
        first = await llm.complete(LLMRequest([Message.user("Hi")], max_tokens=4))
        assert first.text
        server.stop()
        with pytest.raises(LLMConnectionError) as info:
            await llm.complete(LLMRequest([Message.user("Hi again")], max_tokens=4))
        assert f"127.0.0.1:{port}" in str(info.value) and "running" in str(info.value)
        server.start()  # same port, same client: the session recovers
        again = await llm.complete(LLMRequest([Message.user("Hi again")], max_tokens=4))
        assert again.text and again.usage.completion_tokens > 0
        await llm.aclose()
    finally:
        server.stop()
