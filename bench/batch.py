"""`python -m bench batch --json`: batch runs on this machine, locally and on a local Ray cluster.

Parts (`--parts`, default all):
  findings  `--findings-only` health assessments of every company in the snapshot: items per second
            locally and on Ray (ids whose findings differ are listed), and the overhead per item,
            one item at a time on one worker: the mean gap between results minus the mean time an
            item took inside its worker (writing the line, fsync, and for Ray the round trip), with
            the time to the first result (building the workers) apart.
  model     `--questions` questions answered end to end by the embedded model, locally and on Ray
            with one actor of 2 CPUs and with two actors of 1 CPU (how many actors a machine gets).
  serve     `--serve-questions` questions through the OpenAI backend against `finagent serve`,
            `--concurrency` in flight.
Answers are capped at `--max-tokens` tokens (0: the backend's default) so the run stays short; every
line is checked for its calls, findings, answer and figures check. Timings include building the
model per worker (and starting actors), not starting the cluster (reported apart).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._common import emit

PARTS = ["findings", "model", "serve"]


def local_agent():
    """The default agent on the embedded model; module level: Ray workers import it."""
    from agent import build_agent

    return build_agent("local")


def symbols() -> list[str]:
    from tools.market import SnapshotProvider

    return sorted(SnapshotProvider().symbols())


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Clock:
    """Records when each result reached the writer (a `Progress` for `run_batch`)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start = 0.0

    def started(self, total: int, skipped: int) -> None:
        self.start = time.perf_counter()

    def finished(self, record: dict[str, Any]) -> None:
        self.times.append(time.perf_counter())


def timed_run(inp: Path, out: Path, config, ray=None, clock: Clock | None = None) -> tuple[float, list[dict[str, Any]]]:
    from agent.batch import run_batch

    out.unlink(missing_ok=True)
    start = time.perf_counter()
    summary = run_batch(inp, out, config, ray=ray, progress=clock)
    seconds = time.perf_counter() - start
    assert summary.ran == summary.items, summary.text()
    return seconds, read(out)


def overhead_ms(clock: Clock, rows: list[dict[str, Any]]) -> float:
    """One item at a time: the mean gap between results minus the mean time the items took inside
    their worker, over all but the first (which carries the start-up)."""
    gaps = [b - a for a, b in zip(clock.times, clock.times[1:])]
    inside = [r["seconds"] for r in rows[1:]]
    return (sum(gaps) / len(gaps) - sum(inside) / len(inside)) * 1000


def line_checks(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many lines have calls, findings, an answer, a figures check; how many failed."""
    return {
        "lines": len(rows), "with_calls": sum(bool(r["calls"]) for r in rows), "with_findings": sum(bool(r["findings"]) for r in rows),
        "with_answer": sum(bool(r.get("answer")) for r in rows), "with_figures_check": sum(r.get("figures") is not None for r in rows),
        "figures_all_traced": sum(bool((r.get("figures") or {}).get("ok")) for r in rows), "errors": sum(r["error"] is not None for r in rows),
    }


def part_findings(tmp: Path, ray: Any, RayOptions: Any) -> dict[str, Any]:
    from agent.batch import BatchConfig

    items = [{"id": s, "orchestration": "financial_health_assessment", "arguments": {"symbol": s}} for s in symbols()]
    inp = write(tmp / "health.jsonl", items)
    config = BatchConfig(findings_only=True, concurrency=4)
    local_s, local_rows = timed_run(inp, tmp / "local.jsonl", config)
    ray_s, ray_rows = timed_run(inp, tmp / "ray.jsonl", config, RayOptions())
    local_findings, ray_findings = ({r["id"]: r["findings"] for r in rows} for rows in (local_rows, ray_rows))
    serial = BatchConfig(findings_only=True, concurrency=1)
    local_clock, ray_clock = Clock(), Clock()
    _, serial_local = timed_run(inp, tmp / "l1.jsonl", serial, clock=local_clock)
    _, serial_ray = timed_run(inp, tmp / "r1.jsonl", serial, RayOptions(actors=1), clock=ray_clock)
    n = len(items)
    return {
        "items": n, "local_items_per_s": round(n / local_s, 2), "ray_items_per_s": round(n / ray_s, 2),
        "ray_actors": int(ray.cluster_resources().get("CPU", 1)),
        "different_findings": sorted(k for k in local_findings if local_findings[k] != ray_findings.get(k)),
        "errors": sum(r["error"] is not None for r in local_rows + ray_rows),
        "local_overhead_ms_per_item": round(overhead_ms(local_clock, serial_local), 2),
        "ray_overhead_ms_per_item": round(overhead_ms(ray_clock, serial_ray), 2),
        "item_ms_inside_worker": round(sum(r["seconds"] for r in serial_ray) / n * 1000, 2),
        "ray_first_result_s": round(ray_clock.times[0] - ray_clock.start, 2),
        "local_first_result_s": round(local_clock.times[0] - local_clock.start, 2),
    }


def questions(n: int) -> list[dict[str, Any]]:
    return [{"id": s, "question": f"How financially healthy is {s}?"} for s in symbols()[::7][:n]]


def part_model(tmp: Path, n: int, max_tokens: int, RayOptions: Any) -> dict[str, Any]:
    from agent.batch import BatchConfig

    inp = write(tmp / "questions.jsonl", questions(n))
    config = BatchConfig(agent_factory=local_agent, concurrency=1, max_tokens=max_tokens or None)
    result: dict[str, Any] = {"questions": n}
    for name, ray in [("local", None), ("ray_1_actor_2_cpus", RayOptions(actors=1, cpus_per_actor=2)),
                      ("ray_2_actors_1_cpu", RayOptions(actors=2, cpus_per_actor=1))]:
        seconds, rows = timed_run(inp, tmp / f"{name}.jsonl", config, ray)
        result[name] = {"questions_per_min": round(n / seconds * 60, 2), "seconds": round(seconds, 1), **line_checks(rows)}
        result[name]["answers"] = {r["id"]: r.get("answer") for r in rows}
    local_answers = result["local"].pop("answers")
    for name in ("ray_1_actor_2_cpus", "ray_2_actors_1_cpu"):
        result[name]["same_answers_as_local"] = result[name].pop("answers") == local_answers
    return result


def part_serve(tmp: Path, n: int, max_tokens: int, concurrency: int) -> dict[str, Any]:
    import socket
    import subprocess
    import sys

    import httpx

    from agent.batch import BatchConfig

    os.environ.setdefault("OPENAI_API_KEY", "unused")  # finagent serve runs without a key here
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "serve", "--port", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        inp = write(tmp / "serve.jsonl", [{"id": s, "question": f"How financially healthy is {s}?"} for s in symbols()[:n]])
        config = BatchConfig(backend="openai", model="local", base_url=f"http://127.0.0.1:{port}/v1", concurrency=concurrency,
                             max_tokens=max_tokens or None, timeout=900)  # requests queue for one model
        seconds, rows = timed_run(inp, tmp / "serve_out.jsonl", config)
        return {"questions": n, "concurrency": concurrency, "questions_per_min": round(n / seconds * 60, 2), "seconds": round(seconds, 1),
                **line_checks(rows)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench batch")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated: {','.join(PARTS)}")
    parser.add_argument("--questions", type=int, default=6, help="questions for the embedded model, locally and on Ray")
    parser.add_argument("--serve-questions", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight against finagent serve")
    parser.add_argument("--max-tokens", type=int, default=96, help="cap on each answer (0: the backend's default)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    import ray

    from agent.batch import RayOptions
    from agent.batch._ray import local_runtime_env

    result: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
                              "max_tokens": args.max_tokens}
    start = time.perf_counter()
    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False, runtime_env=local_runtime_env())
    result["ray_cluster_start_s"] = round(time.perf_counter() - start, 2)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if "findings" in parts:
                result["findings"] = part_findings(Path(tmp), ray, RayOptions)
            if "model" in parts:
                result["model"] = part_model(Path(tmp), args.questions, args.max_tokens, RayOptions)
            if "serve" in parts:
                result["serve"] = part_serve(Path(tmp), args.serve_questions, args.max_tokens, args.concurrency)
    finally:
        ray.shutdown()
    result["load_after"] = round(os.getloadavg()[0], 1)
    emit(result, args.json, json.dumps(result, indent=2))
    return 0
