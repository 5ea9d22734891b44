"""Cancellation over real HTTP: a client that disconnects (streamed or not) stops its generation
at the next token, and the model serves the next request.

The server runs in this process (uvicorn on 127.0.0.1) so the test can count the tokens the real
model decodes: a long reply (a schema forcing >= 500 characters) is measured once in full, then
abandoned early; the tokens evaluated for the abandoned one (its prompt, then its reply) must
stay far below prompt + full reply (if the generation went on, the next request could only
start after all of them).
"""

from __future__ import annotations

import asyncio
import json

import httpx
import openai
import pytest

from agent.server import create_app

pytestmark = [pytest.mark.server, pytest.mark.local_model]

LONG = {"type": "json_schema", "json_schema": {"name": "essay", "strict": True, "schema": {
    "type": "object", "properties": {"essay": {"type": "string", "minLength": 500, "maxLength": 600}}, "required": ["essay"]}}}
LONG_BODY = {"model": "local", "messages": [{"role": "user", "content": "Write a long essay about the stock market."}],
             "response_format": LONG, "max_tokens": 400}


class Counting:
    """Counts the tokens the model evaluates (wraps the runner's `feed`; behaviour unchanged)."""

    def __init__(self, runner):
        self.runner, self.fed, self._feed = runner, 0, runner.feed

        def feed(tokens):
            self.fed += len(tokens)
            return self._feed(tokens)

        runner.feed = feed

    def restore(self) -> None:
        self.runner.feed = self._feed


@pytest.fixture(scope="module")
def local_llm(gguf):
    from agent.llm.llamacpp import LlamaCppChat

    return LlamaCppChat(gguf)


@pytest.fixture
def served(local_llm, in_process):
    counter = Counting(local_llm._loaded.runner)
    server = in_process(create_app(local_llm))
    yield server, counter
    counter.restore()


LONG_TOOL_BODY = {"model": "local", "messages": [{"role": "user", "content": "File a long report on Apple."}], "max_tokens": 400,
                  "tools": [{"type": "function", "function": {"name": "file_report", "description": "File a report", "parameters": {
                      "type": "object", "properties": {"text": {"type": "string", "minLength": 500, "maxLength": 600}},
                      "required": ["text"]}}}],
                  "tool_choice": {"type": "function", "function": {"name": "file_report"}}}
_FULL: dict[str, tuple[int, int]] = {}


async def full_length(server, body: dict = LONG_BODY) -> tuple[int, int]:
    """(prompt tokens, reply tokens) of the whole long reply (greedy: the same every time), measured once."""
    key = json.dumps(body, sort_keys=True)
    if key not in _FULL:
        async with httpx.AsyncClient(timeout=900) as http:
            r = await http.post(f"{server.base_url}/chat/completions", json=body)
        assert r.status_code == 200
        usage = r.json()["usage"]
        _FULL[key] = (usage["prompt_tokens"], usage["completion_tokens"])
    return _FULL[key]


async def wait_for(predicate, what: str) -> None:
    for _ in range(6000):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def next_request_is_served(server) -> None:
    async with openai.AsyncOpenAI(api_key="x", base_url=server.base_url, max_retries=0, timeout=600) as c:
        r = await c.chat.completions.create(model="local", messages=[{"role": "user", "content": "Say hi."}], max_tokens=4)
    assert r.choices[0].message.content and r.usage.completion_tokens <= 4


async def test_disconnect_mid_stream_stops_the_generation(served):
    server, counter = served
    prompt, full = await full_length(server)
    assert full >= 100, "the forced reply is too short to show anything"
    before = counter.fed
    async with httpx.AsyncClient(timeout=600) as http:
        async with http.stream("POST", f"{server.base_url}/chat/completions", json={**LONG_BODY, "stream": True}) as r:
            assert r.status_code == 200
            seen = 0
            async for line in r.aiter_lines():
                seen += line.startswith("data: ")
                if seen >= 5:
                    break  # leaving the block closes the connection
    await wait_for(lambda: not server_busy(server), "the server to drop the request")
    await wait_for(lambda: not local_llm_busy(server), "the model to be free")
    decoded = counter.fed - before
    await next_request_is_served(server)
    assert decoded < prompt + full / 2, f"{decoded} tokens evaluated for the abandoned request; prompt {prompt} + reply {full}"
    assert health(server)["cancelled"] >= 1


@pytest.mark.parametrize("body", [LONG_BODY, LONG_TOOL_BODY], ids=["text", "tool_call"])
async def test_disconnect_while_waiting_for_a_non_streamed_reply(served, body):
    server, counter = served
    prompt, full = await full_length(server, body)
    assert full >= 100, "the forced reply is too short to show anything"
    before = counter.fed
    async with httpx.AsyncClient(timeout=600) as http:
        task = asyncio.ensure_future(http.post(f"{server.base_url}/chat/completions", json=body))
        await wait_for(lambda: counter.fed - before > 20, "the generation to start")  # prompt (mostly cached) + tokens
        task.cancel()  # the client gives up: httpx closes the connection
        with pytest.raises(asyncio.CancelledError):
            await task
    await wait_for(lambda: not server_busy(server), "the server to drop the request")
    await wait_for(lambda: not local_llm_busy(server), "the model to be free")
    decoded = counter.fed - before
    await next_request_is_served(server)
    assert decoded < prompt + full / 2, f"{decoded} tokens evaluated for the abandoned request; prompt {prompt} + reply {full}"


async def test_a_client_leaving_the_queue_is_not_served(served):
    """A request waiting for the model whose client leaves never reaches the model."""
    server, counter = served
    async with httpx.AsyncClient(timeout=600) as http:
        first = asyncio.ensure_future(http.post(f"{server.base_url}/chat/completions", json=LONG_BODY))
        await wait_for(lambda: health(server)["busy"], "the first request to hold the model")
        second = asyncio.ensure_future(http.post(f"{server.base_url}/chat/completions", json=LONG_BODY))
        await wait_for(lambda: health(server)["waiting"] == 1, "the second request to queue")
        second.cancel()
        await wait_for(lambda: health(server)["waiting"] == 0, "the queue to empty")
        first.cancel()
        for task in (first, second):
            with pytest.raises(asyncio.CancelledError):
                await task
    await wait_for(lambda: not server_busy(server), "the server to drop the request")
    served_before = health(server)["served"]
    await next_request_is_served(server)
    assert health(server)["served"] == served_before + 1


def health(server) -> dict:
    return httpx.get(f"{server.root}/health", timeout=10).json()


def local_llm_busy(server) -> bool:
    """The model's own lock: held while a worker thread is generating."""
    return server.app.state.llm._loaded.lock.locked()


def server_busy(server) -> bool:
    h = health(server)
    return h["busy"] or h["waiting"] > 0
