"""`python -m bench routing --cases FILE [--backend local|openai] --json`: routing accuracy.

For each case (`id`, `query`, `expect` = expected calls, order-insensitive; each with `name`, a string
or a list of acceptable names, and `args`, argument -> acceptable values compared case-insensitively,
other arguments unchecked; `expect: []` = no call), runs only the routing step,
`Agent(llm, grounder=ground_query).route(query)`, on a fresh session, and compares.

- `valid_call_rate`: cases whose every call validated on the first attempt (no repair, no error);
- `exact_route_accuracy`: cases whose validated calls match the expected ones exactly (same number,
  each expected call matched by a distinct call);
- `p50_seconds`, `p95_seconds`: the time of one routing decision (per case, the model loaded).
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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench routing")
    ap.add_argument("--cases", default=DEFAULT_CASES)
    ap.add_argument("--backend", choices=("local", "openai"), default="local")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--engine", choices=("llguidance", "gbnf"), default="llguidance")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from agent import build_agent, make_llm

    options: dict[str, Any] = {"n_threads": args.threads, "engine": args.engine} if args.backend == "local" else {}
    llm = make_llm(args.backend, args.model, **options)
    agent = build_agent(llm)
    cases = [json.loads(line) for line in open(args.cases, encoding="utf-8") if line.strip()]
    cases = cases[: args.limit] if args.limit else cases

    async def run() -> list[dict[str, Any]]:
        out = []
        for case in cases:
            t = time.perf_counter()
            outcome = await agent.route(case["query"], agent.new_session())
            calls = [(r.name, r.arguments()) for r in outcome.routes]
            rejected = any(type(e).__name__ == "RouteRejected" for e in outcome.events)
            valid = outcome.error is None and not rejected
            exact = outcome.error is None and routes_match(calls, case.get("expect") or [])
            out.append({
                "id": case["id"], "exact": exact, "valid": valid,
                "calls": [{"name": n, "arguments": a} for n, a in calls],
                "expect": case.get("expect") or [], "text": outcome.text[:120], "error": outcome.error,
                "llm_calls": outcome.llm_calls, "seconds": round(time.perf_counter() - t, 3),
            })
        return out

    start = time.perf_counter()
    results = asyncio.run(run())
    n = len(results)
    summary = {
        "benchmark": "routing",
        "backend": args.backend,
        "model": llm.model,
        "engine": args.engine if args.backend == "local" else None,
        "cases_file": os.path.basename(args.cases),
        "n": n,
        "valid_call_rate": round(sum(r["valid"] for r in results) / n, 4) if n else 0.0,
        "exact_route_accuracy": round(sum(r["exact"] for r in results) / n, 4) if n else 0.0,
        "p50_seconds": _quantile([r["seconds"] for r in results], 0.5),
        "p95_seconds": _quantile([r["seconds"] for r in results], 0.95),
        "seconds": round(time.perf_counter() - start, 1),
        "cases": results,
    }
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
