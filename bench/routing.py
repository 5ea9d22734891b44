"""`python -m bench routing --cases FILE [--orchestrations MODULE] [--backend local|openai] --json`: routing accuracy.

For each case (`id`, `query`, `expect` = expected calls, order-insensitive; each with `name`, a string
or a list of acceptable names, and `args`, argument -> acceptable values compared case-insensitively,
other arguments unchecked; `expect: []` = no call), runs only the routing step,
`Agent(llm, grounder=ground_query).route(query)`, on a fresh session, and compares. A multi-turn case
also has `history`: earlier turns, each `{"query", "calls": [{"name", "arguments"}], "answer"?}`, put
in the session's memory (question, calls, answer) before the case's own query is routed.

`--orchestrations MODULE` (a dotted module or a `.py` file) routes over that module's orchestrations
(its `ORCHESTRATIONS` list, else every `Orchestration` subclass it defines) and tools (`TOOLS`), with
no grounder: a user's own domain, as `examples/travel_app.py` with `bench/data/routing_travel.jsonl`.

- `valid_call_rate`: cases whose every call validated on the first attempt (no repair, no error);
- `exact_route_accuracy`: cases whose validated calls match the expected ones exactly (same number,
  each expected call matched by a distinct call);
- `function_accuracy`: cases whose calls name the expected functions (as a multiset), arguments aside;
- `by_kind`: exact accuracy per kind of case: `text` (no call), `single`, `several_values` (several
  calls of one function), `two_intents` (calls of different functions), `follow_up` (with history);
- `p50_seconds`, `p95_seconds`: the time of one routing decision (per case, the model loaded).

`--distractors N` offers N unrelated tools beside the agent's own in every routing call (BFCL
functions from `--distractor-file`, the first N distinct names): a large catalog, such as an MCP
server's, brings them. A call to one of them is a wrong route (`distractor_calls` counts them).
The local backend reports the model's calibrated policy weight (`model_weight`) and how many of the
authors' examples the calibration took (`calibration_examples`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
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


def _key(value: Any) -> str:
    """A value compared case-insensitively, a number by its value (100 == 100.0)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value).lower()


def _value_ok(value: Any, allowed: list[Any]) -> bool:
    wanted = {_key(a) for a in allowed}
    if isinstance(value, list):
        return any(_key(v) in wanted for v in value)
    return _key(value) in wanted


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


def functions_match(calls: list[tuple[str, dict[str, Any]]], expect: list[dict[str, Any]]) -> bool:
    """The calls name the expected functions, each once per expected call (arguments unchecked)."""
    return routes_match([(name, {}) for name, _ in calls], [{"name": e["name"]} for e in expect])


def case_kind(case: dict[str, Any]) -> str:
    """`follow_up` (a case with history), `text`, `single`, `several_values` or `two_intents`."""
    if case.get("history"):
        return "follow_up"
    expect = case.get("expect") or []
    if not expect:
        return "text"
    if len(expect) == 1:
        return "single"
    names = {json.dumps(e["name"]) for e in expect}
    return "several_values" if len(names) == 1 else "two_intents"


def load_domain(spec: str) -> tuple[list[Any], list[Any]]:
    """(orchestrations, tools) of a module named by dotted path or `.py` file."""
    import importlib
    import importlib.util

    from orchestrations import Orchestration

    if spec.endswith(".py"):
        path = Path(spec).resolve()
        mspec = importlib.util.spec_from_file_location(f"bench_domain_{path.stem}", path)
        if mspec is None or mspec.loader is None:
            raise SystemExit(f"cannot import {spec}")
        module = importlib.util.module_from_spec(mspec)
        sys.modules[mspec.name] = module
        mspec.loader.exec_module(module)
    else:
        module = importlib.import_module(spec)
    found = getattr(module, "ORCHESTRATIONS", None)
    if found is None:
        found = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Orchestration)
                 and v is not Orchestration and v.__module__ == module.__name__ and getattr(v, "name", None)]
    if not found:
        raise SystemExit(f"{spec} defines no orchestrations")
    return list(found), list(getattr(module, "TOOLS", []))


def remember(agent: Any, session: Any, history: list[dict[str, Any]]) -> None:
    """Put a case's earlier turns (question, calls, answer) in the session's memory."""
    for turn in history:
        calls = [{"name": c["name"], "arguments": c.get("arguments") or {}} for c in turn.get("calls") or []]
        session.memory.add_turn(turn["query"], turn.get("answer") or "Here is what I found.", calls)


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
    ap.add_argument("--orchestrations", default=None, help="a module (dotted or .py) whose orchestrations to route over, no grounder")
    ap.add_argument("--backend", choices=("local", "openai"), default="local")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", choices=("llguidance", "gbnf"), default="llguidance")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--distractors", type=int, default=0, help="unrelated tools added to every routing call")
    ap.add_argument("--distractor-file", default=DEFAULT_DISTRACTORS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from agent import Agent, build_agent, make_llm

    options: dict[str, Any] = {"n_threads": args.threads, "engine": args.engine} if args.backend == "local" else {}
    llm = make_llm(args.backend, args.model, **options)
    extra = distractor_specs(args.distractor_file, args.distractors) if args.distractors else []
    orchestrations, tools = load_domain(args.orchestrations) if args.orchestrations else (None, None)

    def make(backend: Any) -> Any:
        return Agent(backend, orchestrations=orchestrations, tools=tools) if orchestrations else build_agent(backend)

    agent = make(llm)
    # the catalog with distractors runs as its own deployment would: its own llama.cpp context (KV cache)
    distracted = None
    if extra:
        many_llm = make_llm(args.backend, args.model, **options, **({"context": "distractors"} if args.backend == "local" else {}))
        distracted = make(with_distractors(many_llm, extra))
    extra_names = {t.name for t in extra}
    cases = [json.loads(line) for line in open(args.cases, encoding="utf-8") if line.strip()]
    cases = cases[: args.limit] if args.limit else cases

    async def one(target: Any, case: dict[str, Any]) -> dict[str, Any]:
        session = target.new_session()
        remember(target, session, case.get("history") or [])
        t, cpu = time.perf_counter(), time.process_time()
        outcome = await target.route(case["query"], session)
        seconds, cpu_seconds = time.perf_counter() - t, time.process_time() - cpu
        calls = [(r.name, r.arguments()) for r in outcome.routes]
        rejected = any(type(e).__name__ == "RouteRejected" for e in outcome.events)
        return {
            "id": case["id"], "kind": case_kind(case),
            "exact": outcome.error is None and routes_match(calls, case.get("expect") or []),
            "functions": outcome.error is None and functions_match(calls, case.get("expect") or []),
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
        "orchestrations": args.orchestrations,
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
        "function_accuracy": round(sum(r["functions"] for r in results) / n, 4) if n else 0.0,
        "by_kind": {k: f"{sum(r['exact'] for r in results if r['kind'] == k)}/{sum(r['kind'] == k for r in results)}"
                    for k in dict.fromkeys(r["kind"] for r in results)},
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
