"""OpenAIChat against a real HTTP server on 127.0.0.1 speaking the chat-completions wire format."""

import json
import socket

import pytest

from agent.llm import (
    LLMAuthError, LLMConnectionError, LLMRequest, LLMResponseError, LLMServerError, Message, ToolSpec,
)
from agent.llm.openai import OpenAIChat
from tests.http_stub import Reply, completion, stream_events

SECRET = "sk-test-PLANTED-do-not-leak-0123456789"
SPEC = ToolSpec("get_price", "Price of a stock.", {
    "type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"], "additionalProperties": False,
})


def chat(server, **kw) -> OpenAIChat:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("max_retries", 3)
    return OpenAIChat("stub-model", api_key=SECRET, base_url=server.url + "/v1", timeout=5, **kw)


def request(choice="auto") -> LLMRequest:
    return LLMRequest([Message.system("be brief"), Message.user("price of AAPL?")], [SPEC], choice)


async def test_tool_call_round_trip_uses_tools_not_functions(stub_server):
    stub_server.add(Reply(body=completion(tool_calls=[("get_price", {"symbol": "AAPL"})])))
    llm = chat(stub_server)
    response = await llm.complete(request())
    assert response.tool_calls[0].name == "get_price"
    assert response.tool_calls[0].parsed_arguments() == {"symbol": "AAPL"}
    assert (response.usage.prompt_tokens, response.usage.completion_tokens) == (11, 7)
    sent = stub_server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["body"]["tools"][0] == {"type": "function", "function": SPEC.to_dict()}
    assert sent["body"]["tool_choice"] == "auto"
    assert "functions" not in sent["body"] and "function_call" not in sent["body"]
    assert {k.lower(): v for k, v in sent["headers"].items()}["authorization"] == f"Bearer {SECRET}"


@pytest.mark.parametrize("choice, wire", [
    ("required", "required"),
    ("get_price", {"type": "function", "function": {"name": "get_price"}}),
])
async def test_tool_choice_modes_on_the_wire(stub_server, choice, wire):
    stub_server.add(Reply(body=completion(tool_calls=[("get_price", {"symbol": "AAPL"})])))
    await chat(stub_server).complete(request(choice))
    assert stub_server.requests[0]["body"]["tool_choice"] == wire


async def test_tool_choice_none_sends_no_tools(stub_server):
    stub_server.add(Reply(body=completion("plain")))
    assert (await chat(stub_server).complete(request("none"))).text == "plain"
    assert "tools" not in stub_server.requests[0]["body"]


async def test_history_with_tool_calls_and_results_is_sent_in_openai_format(stub_server):
    from agent.llm import ToolCall

    stub_server.add(Reply(body=completion("done")))
    tc = ToolCall("call_9", "get_price", '{"symbol": "AAPL"}')
    msgs = [Message.user("q"), Message.assistant(None, [tc]), Message.tool(tc, '{"price": 1}')]
    await chat(stub_server).complete(LLMRequest(msgs, [SPEC]))
    sent = stub_server.requests[0]["body"]["messages"]
    assert sent[1]["content"] == "" and sent[1]["tool_calls"][0]["id"] == "call_9"
    assert sent[2] == {"role": "tool", "content": '{"price": 1}', "tool_call_id": "call_9"}


async def test_429_then_200_is_retried_honouring_retry_after(stub_server):
    stub_server.add(
        Reply(429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}),
        Reply(body=completion("hello")),
    )
    response = await chat(stub_server, backoff=30).complete(request())  # backoff 30s: only Retry-After=0 keeps it quick
    assert response.text == "hello" and len(stub_server.requests) == 2


async def test_500_storm_gives_a_clear_error_without_the_key(stub_server):
    stub_server.add(*[Reply(500, {"error": {"message": f"internal failure, key {SECRET}"}}) for _ in range(4)])
    with pytest.raises(LLMServerError) as info:
        await chat(stub_server).complete(request())
    message = str(info.value)
    assert "HTTP 500" in message and stub_server.url in message
    assert SECRET not in message and SECRET not in repr(info.value)
    assert len(stub_server.requests) == 4  # 1 + 3 retries, then stop


async def test_401_is_not_retried_and_says_what_to_do(stub_server):
    stub_server.add(Reply(401, {"error": {"message": "Incorrect API key provided: " + SECRET}}))
    with pytest.raises(LLMAuthError, match="OPENAI_API_KEY") as info:
        await chat(stub_server).complete(request())
    assert SECRET not in str(info.value) and len(stub_server.requests) == 1


async def test_garbage_reply_is_a_typed_error(stub_server):
    stub_server.add(Reply(200, "this is not json"), Reply(200, {"unexpected": True}))
    for _ in range(2):
        with pytest.raises(LLMResponseError):
            await chat(stub_server, max_retries=0).complete(request())


async def test_connection_refused_is_a_typed_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = OpenAIChat("m", api_key=SECRET, base_url=f"http://127.0.0.1:{port}/v1", max_retries=1, backoff=0.01)
    with pytest.raises(LLMConnectionError, match="cannot reach"):
        await llm.complete(request())


async def test_missing_key_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(LLMAuthError, match="OPENAI_API_KEY"):
        OpenAIChat("m")


async def test_streaming_text_and_usage(stub_server):
    stub_server.add(Reply(sse=stream_events("The answer is 42.")))
    chunks = [c async for c in chat(stub_server).stream(request("none"))]
    deltas = [c.delta for c in chunks if c.delta]
    final = chunks[-1].response
    assert "".join(deltas) == "The answer is 42." == final.text and len(deltas) == 4
    assert final.usage.completion_tokens == 4 and stub_server.requests[0]["body"]["stream"] is True
    assert stub_server.requests[0]["body"]["stream_options"] == {"include_usage": True}


async def test_streamed_tool_call_deltas_are_assembled(stub_server):
    def chunk(delta):
        return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
                "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}

    stub_server.add(Reply(sse=[
        chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_price", "arguments": ""}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"symbol": '}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"AAPL"}'}}]}),
        {**chunk({}), "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]))
    chunks = [c async for c in chat(stub_server).stream(request())]
    call = chunks[-1].response.tool_calls[0]
    assert (call.id, call.name, json.loads(call.arguments)) == ("call_1", "get_price", {"symbol": "AAPL"})


async def test_stream_cut_in_the_middle_is_a_clear_error(stub_server):
    stub_server.add(Reply(sse=stream_events("one two three four five six"), cut_after=2))
    received = []
    with pytest.raises(LLMConnectionError, match="broke off"):
        async for c in chat(stub_server).stream(request("none")):
            received.append(c.delta)
    assert "".join(received) == "one two "


async def test_agent_over_http_500_storm_ends_turn_cleanly(stub_server):
    from agent import Agent

    stub_server.add(*[Reply(503, {"error": {"message": "overloaded"}}) for _ in range(2)], Reply(body=completion("back")))
    agent = Agent(chat(stub_server, max_retries=1), orchestrations=[], tools=[])
    failed = await agent.achat("hello")
    assert failed.error and "HTTP 503" in failed.error and SECRET not in failed.error
    assert (await agent.achat("hello again")).text == "back"
