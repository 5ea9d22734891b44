"""`python -m bench batch --json`: batch runs on this machine, locally and on a local Ray cluster.

Parts (`--parts`, default all):
  findings  `--findings-only` health assessments of every company in the snapshot: items per second
            locally and on Ray (the same findings is checked), and Ray's overhead per item: the
            marginal cost of one more item on one actor vs one more item locally, both one at a time
            ((T_ray(N) - T_ray(1)) - (T_local(N) - T_local(1))) / (N - 1), fixed costs cancelled.
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
import dataclasses
import functools
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.llm import LLM, WrapperLLM
from bench._common import emit

PARTS = ["findings", "model", "serve"]


class Capped(WrapperLLM):
    """No request asks for more than `max_tokens` tokens."""

    def __init__(self, inner: LLM, max_tokens: int):
        super().__init__(inner)
        self.max_tokens = max_tokens

    def _cap(self, request):
        return dataclasses.replace(request, max_tokens=min(request.max_tokens or self.max_tokens, self.max_tokens))

    async def complete(self, request):
        return await self._require_inner().complete(self._cap(request))

    def stream(self, request):
        return self._require_inner().stream(self._cap(request))


def local_agent(max_tokens: int):
    """The default agent on the embedded model (answers capped); module level: Ray workers import it."""
    from agent import build_agent
    from agent.llm.llamacpp import LlamaCppChat

    llm: LLM = LlamaCppChat()
    return build_agent(Capped(llm, max_tokens) if max_tokens else llm)


def served_agent(base_url: str, max_tokens: int):
    from agent import build_agent
    from agent.llm.openai import OpenAIChat

    llm: LLM = OpenAIChat("local", api_key="unused", base_url=base_url, timeout=900, deadline=1800)  # requests queue for one model
    return build_agent(Capped(llm, max_tokens) if max_tokens else llm)


def companies() -> list[tuple[str, str]]:
    from tools.market import SnapshotProvider

    names = SnapshotProvider().company_names()
    return sorted(names.items())


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def timed_run(inp: Path, out: Path, config, ray=None) -> tuple[float, list[dict[str, Any]]]:
    from agent.batch import run_batch

    out.unlink(missing_ok=True)
    start = time.perf_counter()
    summary = run_batch(inp, out, config, ray=ray)
    seconds = time.perf_counter() - start
    assert summary.ran == summary.items, summary.text()
    return seconds, read(out)


def line_checks(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many lines have calls, findings, an answer, a figures check; how many failed."""
    return {
        "lines": len(rows), "with_calls": sum(bool(r["calls"]) for r in rows), "with_findings": sum(bool(r["findings"]) for r in rows),
        "with_answer": sum(bool(r.get("answer")) for r in rows), "with_figures_check": sum(r.get("figures") is not None for r in rows),
        "figures_all_traced": sum(bool((r.get("figures") or {}).get("ok")) for r in rows), "errors": sum(r["error"] is not None for r in rows),
    }


def part_findings(tmp: Path, ray: Any, RayOptions: Any) -> dict[str, Any]:
    from agent.batch import BatchConfig

    items = [{"id": s, "orchestration": "financial_health_assessment", "arguments": {"symbol": s}} for s, _ in companies()]
    inp = write(tmp / "health.jsonl", items)
    one = write(tmp / "health1.jsonl", items[:1])
    config = BatchConfig(findings_only=True, concurrency=4)
    local_s, local_rows = timed_run(inp, tmp / "local.jsonl", config)
    ray_s, ray_rows = timed_run(inp, tmp / "ray.jsonl", config, RayOptions())
    same = {r["id"]: r["findings"] for r in local_rows} == {r["id"]: r["findings"] for r in ray_rows}
    serial = BatchConfig(findings_only=True, concurrency=1)
    t_local_n, _ = timed_run(inp, tmp / "l1.jsonl", serial)
    t_local_1, _ = timed_run(one, tmp / "l2.jsonl", serial)
    t_ray_n, _ = timed_run(inp, tmp / "r1.jsonl", serial, RayOptions(actors=1))
    t_ray_1, _ = timed_run(one, tmp / "r2.jsonl", serial, RayOptions(actors=1))
    n = len(items)
    return {
        "items": n, "local_items_per_s": round(n / local_s, 2), "ray_items_per_s": round(n / ray_s, 2),
        "ray_actors": int(ray.cluster_resources().get("CPU", 1)), "same_findings": same,
        "errors": sum(r["error"] is not None for r in local_rows + ray_rows),
        "ray_overhead_ms_per_item": round(((t_ray_n - t_ray_1) - (t_local_n - t_local_1)) / (n - 1) * 1000, 2),
        "serial_local_ms_per_item": round((t_local_n - t_local_1) / (n - 1) * 1000, 2),
        "serial_ray_ms_per_item": round((t_ray_n - t_ray_1) / (n - 1) * 1000, 2),
    }


def questions(n: int) -> list[dict[str, Any]]:
    chosen = companies()[::7][:n]
    return [{"id": s, "question": f"How financially healthy is {name} ({s})?"} for s, name in chosen]


def part_model(tmp: Path, n: int, max_tokens: int, RayOptions: Any) -> dict[str, Any]:
    from agent.batch import BatchConfig

    inp = write(tmp / "questions.jsonl", questions(n))
    config = BatchConfig(agent_factory=functools.partial(local_agent, max_tokens), concurrency=1)
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
        inp = write(tmp / "serve.jsonl", [{"id": s, "question": f"How financially healthy is {name} ({s})?"} for s, name in companies()[:n]])
        config = BatchConfig(agent_factory=functools.partial(served_agent, f"http://127.0.0.1:{port}/v1", max_tokens), concurrency=concurrency)
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
