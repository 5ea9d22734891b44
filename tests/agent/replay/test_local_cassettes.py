"""Replay the committed local-model cassettes (tests/cassettes/local/) with no model and no network.

They were recorded by scripts/record_cassettes.py: real runs of the embedded SmolLM2 model
(`LlamaCppChat()`, default settings) over the offline snapshot data, one per financial
orchestration and one ReAct ("research") run. Here the model is never built (`wrap_llm(None)`,
and constructing `LlamaCppChat` fails the test), the network is blocked, the tool results come
from the cassette (only the query grounder reads the offline snapshot), and the replay is strict: every request must match a recording
and every recording must be used.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from agent.replay import Cassette

REPO = Path(__file__).resolve().parents[3]
LOCAL = REPO / "tests" / "cassettes" / "local"
INDEX = json.loads((LOCAL / "index.json").read_text()) if (LOCAL / "index.json").exists() else {}

FINANCIAL = {
    "sector_analysis", "company_comparative_analysis", "financial_health_assessment", "portfolio_recommendation",
    "strategic_investment_analysis", "market_trend_prediction", "company_competitive_analysis",
}


@pytest.fixture(autouse=True)
def no_model_no_data(monkeypatch):
    """Building the local model or touching the network fails the test (tools are served by the cassette)."""
    import agent.llm.llamacpp as llamacpp

    def no_model(*args, **kwargs):
        raise AssertionError("a replay must not construct LlamaCppChat")

    monkeypatch.setattr(llamacpp, "LlamaCppChat", no_model)
    monkeypatch.setattr(llamacpp, "load_model", no_model)

    def no_network(*args, **kwargs):
        raise AssertionError("a replay must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("FINAGENT_DATA", "snapshot")  # the grounder reads the offline snapshot's universe
    monkeypatch.setenv("FMP_API_KEY", "")


def test_the_index_covers_every_financial_orchestration_and_react():
    for name in INDEX:
        assert (LOCAL / name).is_file(), name
    assert any(e["react"] and e["orchestration"] == "research" for e in INDEX.values())
    missing = FINANCIAL - {e["orchestration"] for e in INDEX.values()}
    if missing:  # the local model routed none of the candidate queries there (scripts/record_cassettes.py)
        pytest.skip(f"no local-model cassette yet for {sorted(missing)}")


@pytest.mark.parametrize("name", sorted(INDEX))
async def test_local_cassette_replays(name):
    from agent import Agent
    from agent import ground_query, load_defaults

    entry = INDEX[name]
    load_defaults()
    cassette = Cassette(LOCAL / name, mode="replay", strict=True)
    assert cassette._llms and cassette._llms[0].get("model", "").startswith("SmolLM2"), "recorded with the local model"
    kwargs = {}
    if entry["react"]:
        from orchestrations.react import ReActLoop

        kwargs["orchestrations"] = [ReActLoop]
    agent = Agent(cassette.wrap_llm(None), grounder=ground_query, tool_executor=cassette.tool_executor, **kwargs)
    reply = await agent.achat(entry["query"])

    assert [c["name"] for c in reply.calls] == [entry["orchestration"]]
    assert reply.ok, reply.error
    assert reply.text.strip()
    recorded_tools = [e for e in cassette.entries if e.get("kind") == "tool"]
    assert reply.tool_calls, "the orchestration called its tools"
    # repeated identical calls are served by the tool cache, so the cassette holds each once; a call
    # refused before it ran (arguments the tool rejects) was never recorded
    called = {json.dumps([c["tool"], c["arguments"]], sort_keys=True): c["ok"] for c in reply.tool_calls}
    recorded = {json.dumps([e["tool"], e["arguments"]], sort_keys=True) for e in recorded_tools}
    assert recorded <= set(called) and not [k for k in set(called) - recorded if called[k]], (called, recorded)
    cassette.close()  # strict: no mismatch, no unused recording
