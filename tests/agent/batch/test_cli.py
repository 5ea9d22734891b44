"""`finagent batch` end to end: the snapshot, a model server with concurrency and 429s, a run killed and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from agent.cli import main
from tests.agent.batch._fixtures import health_items, read_jsonl, write_jsonl
from tests.agent.batch._model_server import ModelServer, health_questions
from tests.http_stub import Reply

ROOT = Path(__file__).resolve().parents[3]
SYMBOLS = [i["id"] for i in health_items(12)]


def test_findings_only_over_the_snapshot_with_a_bad_line(tmp_path, capsys):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [*health_items(5), {"id": "x", "orchestration": "financial_health_assessment", "arguments": {}}])
    assert main(["batch", str(inp), "--out", str(out), "--findings-only", "--json"]) == 1
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert (summary["ran"], summary["errors"], summary["runner"]) == (5, 0, "local")
    assert summary["bad_lines"][0].startswith("line 6: ") and "symbol" in summary["bad_lines"][0]
    assert "5 items run" in captured.err and "line 6:" in captured.err
    rows = read_jsonl(out)
    assert sorted(r["id"] for r in rows) == sorted(SYMBOLS[:5])  # in the order they finished
    assert all(r["findings"] and r["calls"][0]["name"] == "financial_health_assessment" for r in rows)


def test_a_missing_input_file_is_one_line_and_no_output(tmp_path, capsys):
    assert main(["batch", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "out.jsonl")]) == 1
    assert "input file not found" in capsys.readouterr().err


def test_through_a_model_server_at_most_concurrency_requests_are_in_flight_and_429s_only_slow_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, health_questions(SYMBOLS))
    with ModelServer(delay=0.1) as server:
        server.stub.add(*(Reply(429, {"error": {"message": "busy"}}, headers={"retry-after": "0.2"}) for _ in range(3)))
        code = main(["batch", str(inp), "--out", str(out), "--backend", "openai", "--base-url", server.base_url, "--concurrency", "4",
                     "--timeout", "30"])
        assert code == 0, capsys.readouterr().err
        assert server.peak == 4  # 12 items, 4 at a time
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert sorted(rows) == sorted(SYMBOLS)
    for symbol, row in rows.items():
        assert row["error"] is None and row["calls"] == [{"name": "financial_health_assessment", "arguments": {"symbol": symbol}}]
        assert row["findings"] and row["answer"] == "The company looks healthy." and row["figures"]["ok"] is True
        assert row["usage"]["requests"] == 2
    assert len(server.stub.requests) == 12 * 2 + 3  # the three 429s were retried, no item failed


def test_a_run_killed_halfway_resumes_without_repeating_or_losing_an_item(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, health_questions(SYMBOLS))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": "sk-test"}
    with ModelServer(delay=0.25) as server:
        argv = [sys.executable, "-m", "agent.cli", "batch", str(inp), "--out", str(out), "--backend", "openai",
                "--base-url", server.base_url, "--concurrency", "2"]
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 120
            while (not out.exists() or len(out.read_bytes().splitlines()) < 4) and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        first = [json.loads(line)["id"] for line in out.read_bytes().splitlines()]  # every line whole
        assert 4 <= len(first) < len(SYMBOLS), "the run was not killed halfway"
        asked_before = len(server.questions)
        resumed = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        assert f"{len(first)} already in" in resumed.stderr
        asked_again = {q.split("(")[1].rstrip(")?") for q in server.questions[asked_before:]}
    rows = read_jsonl(out)
    assert sorted(r["id"] for r in rows) == sorted(SYMBOLS)  # none lost, none twice
    assert asked_again == set(SYMBOLS) - set(first)  # the finished ones were not asked again
    assert all(r["error"] is None and r["answer"] for r in rows)


def test_actors_without_ray_is_refused(tmp_path, capsys):
    write_jsonl(tmp_path / "in.jsonl", health_items(1))
    assert main(["batch", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out.jsonl"), "--actors", "2"]) == 1
    assert "--actors needs --ray" in capsys.readouterr().err and not (tmp_path / "out.jsonl").exists()
