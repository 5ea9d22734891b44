"""`finagent ask --record/--replay` end to end (subprocess, real local HTTP server), and a committed cassette."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


from .chat_server import ChatServer

pytestmark = pytest.mark.server

QUESTION = "How healthy are JPM's finances?"
ROUTE = ("financial_health_assessment", {"symbol": "JPM"})
PLANTED = "sk-test-PLANTED-cli-0123456789"
REPO = Path(__file__).resolve().parents[3]


def _finance_available() -> bool:
    from agent import load_defaults
    from orchestrations import registered_orchestrations

    load_defaults()
    return ROUTE[0] in registered_orchestrations()


needs_finance = pytest.mark.skipif(not _finance_available(), reason="orchestrations.finance has not landed")


def finagent(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    code = "import sys; from agent.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def comparable(output: str) -> dict:
    data = json.loads(output)
    for c in data["tool_calls"]:
        c.pop("duration_s")
    data["tool_calls"].sort(key=lambda c: json.dumps(c, sort_keys=True))
    return data


@needs_finance
def test_cli_records_over_http_then_replays_offline_with_the_same_output(tmp_path):
    path = tmp_path / "jpm.json"
    base = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "FMP_API_KEY")}
    with ChatServer() as server:
        server.route = ROUTE
        recorded = finagent("ask", QUESTION, "--backend", "openai", "--base-url", server.base_url, "--model", "local-test-model",
                            "--record", str(path), "--json", env={**base, "OPENAI_API_KEY": PLANTED})
    assert recorded.returncode == 0, recorded.stderr
    out = comparable(recorded.stdout)
    assert out["calls"] == [{"name": ROUTE[0], "arguments": ROUTE[1]}] and out["error"] is None
    assert out["answer"].startswith("Based on the data") and out["llm_calls"] == 2
    assert len(out["tool_calls"]) >= 2 and all(c["ok"] for c in out["tool_calls"])
    assert {k.lower(): v for k, v in server.requests[0]["headers"].items()}["authorization"] == f"Bearer {PLANTED}"
    assert "PLANTED" not in path.read_text()

    # no server, no key: the replay cannot reach any model and must not need to
    replayed = finagent("ask", QUESTION, "--replay", str(path), "--json", env=base)
    assert replayed.returncode == 0, replayed.stderr
    assert comparable(replayed.stdout) == out

    changed = finagent("ask", "How healthy are MSFT's finances?", "--replay", str(path), "--json", env=base)
    assert changed.returncode == 1 and "finagent: error:" in changed.stderr and "matches no recording" in changed.stderr


@pytest.fixture
def cassette_dir() -> Path:
    return REPO / "tests" / "cassettes" / "agent_replay"


@needs_finance
@pytest.mark.cassette(strict=True)
async def test_committed_cassette_jpm_financial_health(cassette):
    """Replays tests/cassettes/agent_replay/ (re-record: pytest --record-mode=record on this test)."""
    from agent import Agent
    from agent import ground_query, load_defaults
    from agent.llm.openai import OpenAIChat

    load_defaults()
    server = ChatServer()
    llm = None
    if cassette.recording:
        server.__enter__()
        server.route = ROUTE
        llm = OpenAIChat("local-test-model", api_key=PLANTED, base_url=server.base_url, max_retries=0)
    try:
        agent = Agent(cassette.wrap_llm(llm), grounder=ground_query, tool_executor=cassette.tool_executor)
        reply = await agent.achat(QUESTION)
    finally:
        if cassette.recording:
            server.__exit__()
    assert reply.ok, reply.error
    assert reply.calls == [{"name": ROUTE[0], "arguments": ROUTE[1]}]
    assert reply.text.startswith("Based on the data") and reply.llm_calls == 2
    assert {c["tool"] for c in reply.tool_calls} >= {"get_balance_sheet", "get_income_statement"}

