"""The wire format of `create_app`, with a ScriptedLLM, through the official `openai` client and
OpenAIChat over an in-process ASGI transport (fast; the real-HTTP tests are in test_serve.py)."""

from __future__ import annotations

import json

import httpx
import openai
import pytest
from starlette.testclient import TestClient

from agent.llm import LLMConnectionError, LLMRequest, Message, StreamChunk, ToolSpec
from agent.llm.openai import OpenAIChat
from agent.server import create_app
from agent.testing import ScriptedLLM, call

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city",
                                             "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
USER = [{"role": "user", "content": "Weather in Paris?"}]


def client(llm) -> openai.AsyncOpenAI:
    transport = httpx.ASGITransport(app=create_app(llm))
    return openai.AsyncOpenAI(api_key="x", base_url="http://test/v1", http_client=httpx.AsyncClient(transport=transport), max_retries=0)


async def test_completion_with_tool_call_and_usage():
    llm = ScriptedLLM([call("get_weather", {"city": "Paris"}, id="call_a")])
    r = await client(llm).chat.completions.create(model="m", messages=USER, tools=[WEATHER], tool_choice="required")
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.tool_calls[0].id == "call_a"
    assert choice.message.tool_calls[0].function.name == "get_weather"
    assert json.loads(choice.message.tool_calls[0].function.arguments) == {"city": "Paris"}
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens > 0
    assert llm.requests[0].tool_choice == "required" and llm.requests[0].tools[0].name == "get_weather"


@pytest.mark.parametrize("choice, expected", [
    ("auto", "auto"), ("none", "none"), ("required", "required"),
    ({"type": "function", "function": {"name": "get_weather"}}, "get_weather"),
])
async def test_tool_choice_modes_reach_the_model(choice, expected):
    llm = ScriptedLLM(["fine"])
    await client(llm).chat.completions.create(model="m", messages=USER, tools=[WEATHER], tool_choice=choice)
    assert llm.requests[0].tool_choice == expected


async def test_stream_tool_call_deltas_and_done():
    llm = ScriptedLLM([call("get_weather", {"city": "Paris"}, id="call_b")])
    transport = httpx.ASGITransport(app=create_app(llm))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        r = await http.post("/v1/chat/completions", json={"model": "m", "messages": USER, "tools": [WEATHER], "stream": True})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0]["role"] == "assistant"
    head = next(d["tool_calls"][0] for d in deltas if d.get("tool_calls") and "id" in d["tool_calls"][0])
    assert head == {"index": 0, "id": "call_b", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    arguments = "".join(d["tool_calls"][0]["function"].get("arguments", "") for d in deltas if d.get("tool_calls"))
    assert json.loads(arguments) == {"city": "Paris"}
    assert chunks[-1]["choices"][0]["finish_reason"] == "tool_calls" and chunks[-1]["usage"]["total_tokens"] > 0


async def test_stream_text_through_openaichat_and_include_usage():
    llm = ScriptedLLM(["The sky is clear in Paris."])
    chat = OpenAIChat("m", client=client(llm))
    chunks = [c async for c in chat.stream(LLMRequest([Message.user("Weather?")]))]
    assert "".join(c.delta for c in chunks) == "The sky is clear in Paris."
    assert chunks[-1].response.finish_reason == "stop" and chunks[-1].response.usage.completion_tokens > 0
    stream = await client(ScriptedLLM(["ok then"])).chat.completions.create(
        model="m", messages=USER, stream=True, stream_options={"include_usage": True})
    seen = [c async for c in stream]
    assert seen[-1].choices == [] and seen[-1].usage.total_tokens > 0
    assert seen[-2].choices[0].finish_reason == "stop"


async def test_multi_turn_with_tool_results_through_openaichat():
    llm = ScriptedLLM([call("get_weather", {"city": "Paris"}), "Sunny, 21 C."])
    chat = OpenAIChat("m", client=client(llm))
    spec = ToolSpec("get_weather", "Weather in a city", WEATHER["function"]["parameters"])
    first = await chat.complete(LLMRequest([Message.user("Weather in Paris?")], [spec], "auto"))
    tc = first.tool_calls[0]
    messages = [Message.user("Weather in Paris?"), first.message, Message.tool(tc, '{"temp": 21}')]
    second = await chat.complete(LLMRequest(messages, [spec], "auto"))
    assert second.text == "Sunny, 21 C."
    seen = llm.requests[1].messages
    assert [m.role for m in seen] == ["user", "assistant", "tool"]
    assert seen[1].tool_calls[0].name == "get_weather" and seen[2].tool_call_id == tc.id


def test_assistant_tool_call_message_with_null_content_is_accepted():
    llm = ScriptedLLM(["done"])
    body = {"messages": [*USER, {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "sunny"}], "tools": [WEATHER]}
    r = TestClient(create_app(llm)).post("/v1/chat/completions", json=body)
    assert r.status_code == 200 and r.json()["choices"][0]["message"]["content"] == "done"


@pytest.mark.parametrize("body, fragment", [
    ({"messages": []}, "messages"),
    ({"messages": [{"role": "wizard", "content": "x"}]}, "role"),
    ({"messages": USER, "tool_choice": "sometimes", "tools": [WEATHER]}, "tool_choice"),
    ({"messages": USER, "tool_choice": {"type": "function", "function": {"name": "nope"}}, "tools": [WEATHER]}, "nope"),
    ({"messages": USER, "tool_choice": "required"}, "tools"),
    ({"messages": USER, "tools": [{"type": "function"}]}, "tools[0]"),
    ({"messages": USER, "max_tokens": -1}, "max_tokens"),
    ({"messages": [{"role": "tool", "content": "x"}]}, "tool_call_id"),
    ([1, 2], "JSON object"),
])
def test_bad_requests_are_400_openai_errors(body, fragment):
    r = TestClient(create_app(ScriptedLLM())).post("/v1/chat/completions", json=body)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and fragment in error["message"]
    assert "Traceback" not in r.text


def test_invalid_json_unknown_route_and_models():
    c = TestClient(create_app(ScriptedLLM(model="tiny")))
    r = c.post("/v1/chat/completions", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.json()["error"]["message"]
    r = c.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["type"] == "not_found_error"
    r = c.get("/v1/chat/completions")
    assert r.status_code == 405 and "error" in r.json()
    models = c.get("/v1/models").json()
    assert models["object"] == "list" and models["data"][0]["id"] == "tiny"


def test_model_failure_is_a_500_json_error_not_a_traceback():
    llm = ScriptedLLM([LLMConnectionError("backend exploded")])
    r = TestClient(create_app(llm), raise_server_exceptions=False).post("/v1/chat/completions", json={"messages": USER})
    assert r.status_code == 500
    assert r.json()["error"]["type"] == "server_error" and "backend exploded" in r.json()["error"]["message"]
    assert "Traceback" not in r.text


def test_model_failure_before_the_first_piece_of_a_stream_is_an_http_error():
    """The status line waits for the first piece, so an early failure gets a real status."""
    llm = ScriptedLLM([LLMConnectionError("backend exploded")])
    r = TestClient(create_app(llm), raise_server_exceptions=False).post("/v1/chat/completions", json={"messages": USER, "stream": True})
    assert r.status_code == 500 and "backend exploded" in r.json()["error"]["message"]


class FailsMidStream(ScriptedLLM):
    async def stream(self, request):
        yield StreamChunk(delta="Hello ")
        raise RuntimeError("boom")


def test_model_failure_mid_stream_is_an_error_event_then_done():
    r = TestClient(create_app(FailsMidStream())).post("/v1/chat/completions", json={"messages": USER, "stream": True})
    events = [line[6:] for line in r.text.splitlines() if line.startswith("data: ")]
    assert r.status_code == 200 and json.loads(events[1])["choices"][0]["delta"]["content"] == "Hello "
    assert events[-1] == "[DONE]"
    assert json.loads(events[-2])["error"]["type"] == "server_error"
