"""`python -m bench routing --cases FILE [--backend local|openai] --json`: routing accuracy.

For each case (`id`, `query`, `expect` = expected calls, order-insensitive; each with `name`, a string
or a list of acceptable names, and `args`, argument -> acceptable values compared case-insensitively,
other arguments unchecked; `expect: []` = no call), runs only the routing step,
`Agent(llm, grounder=ground_query).route(query)`, on a fresh session, and compares.

- `valid_call_rate`: cases whose every call validated on the first attempt (no repair, no error);
- `exact_route_accuracy`: cases whose validated calls match the expected ones exactly (same number,
  each expected call matched by a distinct call);
- `p50_seconds`, `p95_seconds`: the time of one routing decision (per case, the model loaded).

`--distractors N` offers N unrelated tools beside the agent's own in every routing call (BFCL
functions from `--distractor-file`, the first N distinct names): a large catalog, such as an MCP
server's, brings them. A call to one of them is a wrong route (`distractor_calls` counts them).
The local backend reports the model's calibrated policy weight (`model_weight`) and how many of the
authors' examples the calibration took (`calibration_examples`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
import asyncio
import json
import os
import sys
import time
from typing import Any

DEFAULT_CASES = str(Path(__file__).resolve().parents[2] / "shared/data/routing/dev.jsonl")
DEFAULT_DISTRACTORS = str(Path(__file__).resolve().parents[2] / "shared/data/bfcl/BFCL_v4_simple_python.json")


def distractor_specs(path: str, n: int) -> list[Any]:
    """The first `n` distinct functions of a BFCL file, as ToolSpecs."""
    from bench.bfcl import to_tool_spec

    out: dict[str, Any] = {}
    for line in open(path, encoding="utf-8"):
        if len(out) >= n:
            break
        if line.strip():
            for function in json.loads(line).get("function") or []:
                if len(out) < n and function["name"] not in out:
                    out[function["name"]] = to_tool_spec(function)
    return list(out.values())


def with_distractors(llm: Any, extra: list[Any]) -> Any:
    """`llm` with `extra` tools added after the offered ones in every request that offers tools."""
    from dataclasses import replace

    from agent.llm import WrapperLLM

    class Distracted(WrapperLLM):
        async def complete(self, request):
            return await super().complete(replace(request, tools=[*request.tools, *extra]) if request.tools else request)

        def stream(self, request):
            return super().stream(replace(request, tools=[*request.tools, *extra]) if request.tools else request)

    return Distracted(llm)


def _value_ok(value: Any, allowed: list[Any]) -> bool:
    wanted = {str(a).lower() for a in allowed}
    if isinstance(value, list):
        return any(str(v).lower() in wanted for v in value)
    return str(value).lower() in wanted


def call_matches(call: tuple[str, dict[str, Any]], expected: dict[str, Any]) -> bool:
    name, args = call
    names = expected["name"] if isinstance(expected["name"], list) else [expected["name"]]
    if name not in names:
        return False
    return all(key in args and _value_ok(args[key], allowed) for key, allowed in (expected.get("args") or {}).items())


def routes_match(calls: list[tuple[str, dict[str, Any]]], expect: list[dict[str, Any]]) -> bool:
    if len(calls) != len(expect):
        return False

    def match(i: int, used: frozenset[int]) -> bool:
        if i == len(expect):
            return True
        return any(j not in used and call_matches(calls[j], expect[i]) and match(i + 1, used | {j}) for j in range(len(calls)))

    return match(0, frozenset())


def _quantile(values: list[float], q: float) -> float | None:
    """The q-quantile of `values` (linear interpolation), rounded; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 3)


def _rejected_names(events: list[Any]) -> list[str]:
    """The functions named in rejected calls (`'NAME' is not a function you can call`)."""
    names = []
    for event in events:
        for error in getattr(event, "errors", []) if type(event).__name__ == "RouteRejected" else []:
            if error.startswith("'") and "' is not a function" in error:
                names.append(error[1:error.index("' is not a function")])
    return names


def _calibration(llm: Any) -> dict[str, Any]:
    """The local backend's calibrated model weight(s), per tool list it has seen."""
    report = getattr(llm, "calibration_report", None)
    return report() if callable(report) else {}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench routing")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--backend", choices=("local", "openai"), default="local")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", choices=("llguidance", "gbnf"), default="llguidance")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--distractors", type=int, default=0, help="unrelated tools added to every routing call")
    ap.add_argument("--distractor-file", default=DEFAULT_DISTRACTORS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from agent import build_agent, make_llm

    options: dict[str, Any] = {"n_threads": args.threads, "engine": args.engine} if args.backend == "local" else {}
    llm = make_llm(args.backend, args.model, **options)
    extra = distractor_specs(args.distractor_file, args.distractors) if args.distractors else []
    agent = build_agent(llm)
    distracted = build_agent(with_distractors(llm, extra)) if extra else None
    extra_names = {t.name for t in extra}
    cases = [json.loads(line) for line in open(args.cases, encoding="utf-8") if line.strip()]
    cases = cases[: args.limit] if args.limit else cases

    async def one(target: Any, case: dict[str, Any]) -> dict[str, Any]:
        t, cpu = time.perf_counter(), time.process_time()
        outcome = await target.route(case["query"], target.new_session())
        seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
        calls = [(r.name, r.arguments()) for r in outcome.routes]
        rejected = any(type(e).__name__ == "RouteRejected" for e in outcome.events)
        return {
            "id": case["id"], "exact": outcome.error is None and routes_match(calls, case.get("expect") or []),
            "valid": outcome.error is None and not rejected,
            "distractor_calls": sum(n in extra_names for n in _rejected_names(outcome.events)),
            "calls": [{"name": n, "arguments": a} for n, a in calls],
            "expect": case.get("expect") or [], "text": outcome.text[:120], "error": outcome.error,
            "llm_calls": outcome.llm_calls, "seconds": round(seconds, 3), "cpu_seconds": round(cpu_seconds, 3),
        }

    async def run() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        own, many = [], []
        for case in cases:  # interleaved: both configurations see the same machine load
            own.append(await one(agent, case))
            if distracted is not None:
                many.append(await one(distracted, case))
        return own, many

    start = time.perf_counter()
    own, many = asyncio.run(run())
    summary = {
        "benchmark": "routing",
        "backend": args.backend,
        "model": llm.model,
        "engine": args.engine if args.backend == "local" else None,
        "cases_file": os.path.basename(args.cases),
        **_calibration(llm),
        **_summary(many or own, len(agent._specs) + (len(extra) if many else 0)),
    }
    if many:  # the same requests with the domain's own tools alone, measured in the same run
        base = _summary(own, len(agent._specs))
        summary["own_tools_only"] = {k: v for k, v in base.items() if k != "cases"}
        summary["latency_ratio_p50"] = _ratio(summary["p50_seconds"], base["p50_seconds"])
        summary["cpu_ratio_p50"] = _ratio(summary["p50_cpu_seconds"], base["p50_cpu_seconds"])
        summary["accuracy_delta_points"] = round(100 * (summary["exact_route_accuracy"] - base["exact_route_accuracy"]), 1)
    summary["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=1))
    return 0


def _summary(results: list[dict[str, Any]], tools_offered: int) -> dict[str, Any]:
    n = len(results)
    return {
        "tools_offered": tools_offered,
        "n": n,
        "valid_call_rate": round(sum(r["valid"] for r in results) / n, 4) if n else 0.0,
        "exact_route_accuracy": round(sum(r["exact"] for r in results) / n, 4) if n else 0.0,
        "distractor_calls": sum(r["distractor_calls"] for r in results),
        "p50_seconds": _quantile([r["seconds"] for r in results], 0.5),
        "p95_seconds": _quantile([r["seconds"] for r in results], 0.95),
        "p50_cpu_seconds": _quantile([r["cpu_seconds"] for r in results], 0.5),
        "cases": results,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
