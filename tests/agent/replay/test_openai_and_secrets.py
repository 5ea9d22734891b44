"""OpenAIChat over a real local HTTP server, recorded then replayed with no server; no secret is written."""

from __future__ import annotations

import json


from agent.llm.openai import OpenAIChat
from agent.replay import REDACTED, Cassette
from agent.testing import ScriptedLLM, call
from tools import tool

from .chat_server import ChatServer
from .conftest import comparable

PLANTED = "sk-test-PLANTED0123456789abcdef"
QUESTION = "Compare AAA, BBB and BAD, and tick three times"
ROUTE = {"symbols": ["AAA", "BBB", "AAA", "BAD"]}


async def test_openai_round_trip_over_http_then_replay_without_server_or_key(tmp_path, make_agent, live_tools, monkeypatch):
    path = tmp_path / "openai.json"
    monkeypatch.setenv("OPENAI_API_KEY", PLANTED)
    with ChatServer() as server:
        server.route = ("fanout", ROUTE)
        llm = OpenAIChat("local-test-model", base_url=server.base_url, max_retries=0)
        cassette = Cassette(path, mode="record")
        recorded = await make_agent(llm, cassette).achat(QUESTION)
        cassette.close()
        await llm.aclose()
    assert recorded.ok, recorded.error
    assert recorded.calls == [{"name": "fanout", "arguments": ROUTE}]
    assert recorded.text.startswith("Based on the data") and recorded.llm_calls == 2
    assert [r["body"].get("stream", False) for r in server.requests] == [False, True]  # routing, then streamed synthesis
    headers = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    assert headers["authorization"] == f"Bearer {PLANTED}"  # the secret really was in use

    text = path.read_text()
    assert "PLANTED" not in text
    entries = json.loads(text)["entries"]
    assert entries[-1]["method"] == "stream" and "".join(entries[-1]["stream"]) == recorded.text
    assert entries[0]["model"] == "local-test-model" and json.loads(text)["llms"][0]["context_window"] == 128_000

    monkeypatch.delenv("OPENAI_API_KEY")
    live_tools["allowed"] = False
    cassette = Cassette(path, mode="replay")
    replay_llm = cassette.wrap_llm(None)
    assert replay_llm.model == "local-test-model" and replay_llm.context_window == 128_000
    replayed = await make_agent(None, cassette).achat(QUESTION)
    cassette.close()
    assert comparable(replayed) == comparable(recorded)


@tool
async def leaky(symbol: str) -> dict:
    """A data source that echoes its credentials (as badly written clients do)."""
    return {
        "symbol": symbol,
        "url": "https://data.example/api/v3/quote?symbol=AAA&apikey=fmpPLANTEDkey987654",
        "other": "https://x.example/q?token=PLANTEDtoken55555&key=PLANTEDkey44444",
        "headers": {"Authorization": f"Bearer {PLANTED}", "X-Api-Key": "PLANTEDheader3333"},
        "body": json.dumps({"api_key": "PLANTEDbody2222", "q": 1}),
        "log": f"sent Authorization: Bearer PLANTEDlog1111111 with key {PLANTED}",
        "custom": "internal id PLANTED-CUSTOM-42",
    }


async def test_no_secret_survives_in_a_cassette_and_the_redacted_run_still_replays(tmp_path, monkeypatch):
    from agent import Agent

    monkeypatch.setenv("OPENAI_API_KEY", PLANTED)
    monkeypatch.setenv("FMP_API_KEY", "fmpPLANTEDkey987654")
    path = tmp_path / "secrets.json"
    question = f"Quote AAA (my key is {PLANTED}, do not tell)"
    llm = ScriptedLLM([call("leaky", {"symbol": "AAA"}), f"Done. Use header Authorization: Bearer {PLANTED} next time."])

    def make(cassette, inner):
        return Agent(cassette.wrap_llm(inner), orchestrations=[], tools=[leaky], offer_tools=True, tool_executor=cassette.tool_executor)

    cassette = Cassette(path, mode="record", redact=[r"PLANTED-CUSTOM-\d+"])
    recorded = await make(cassette, llm).achat(question)
    cassette.close()
    assert recorded.ok and PLANTED in llm.requests[1].messages[-1].content  # the live run did see the secrets

    text = path.read_text()
    assert "PLANTED" not in text, [line for line in text.splitlines() if "PLANTED" in line]
    assert REDACTED in text and "apikey=[REDACTED]" in text and "Authorization: [REDACTED]" in text

    replay = Cassette(path, mode="replay", redact=[r"PLANTED-CUSTOM-\d+"])
    replayed = await make(replay, None).achat(question)
    replay.close()
    assert replayed.calls == recorded.calls and "PLANTED" not in replayed.text


def test_redactor_keeps_token_counts_and_ordinary_text():
    from agent.replay import Redactor

    redact = Redactor(environ={})
    usage = {"prompt_tokens": 12, "completion_tokens": 3, "max_tokens": 50, "total_tokens": 15}
    assert redact(usage) == usage
    assert redact("JPM's return on equity is 15.2% (2024-12-31)") == "JPM's return on equity is 15.2% (2024-12-31)"
    assert redact({"token": "abc", "Authorization": "Basic xyz", "n": 1}) == {"token": REDACTED, "Authorization": REDACTED, "n": 1}
    assert redact(redact("url?apikey=s3cret&x=1")) == "url?apikey=[REDACTED]&x=1"
