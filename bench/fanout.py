"""`python -m bench fanout --json`: `sector_analysis` (top_n=10) over a provider with a fixed latency per call.

Three numbers, measured in the same run (rounds interleaved, medians reported):
  sequential_s       the reference design's pattern: the screener call, then per company
                     `get_stock_price`, `get_company_profile`, `get_income_statement`, one after another;
  concurrent_s       our orchestration through RunContext/ToolRunner (real tools, real snapshot provider);
  critical_path_s    dependency levels x latency (level 1: the screener; level 2: every per-company call).
The same orchestration with a concurrency cap (default 4) is also timed, with the peak number of tool
calls in flight taken from the ToolCallStarted/ToolCallFinished events.
"""

from __future__ import annotations


import argparse
import asyncio
import math
import platform
import time
from typing import Any

from orchestrations._context import DEFAULT_MAX_CONCURRENCY
from bench._common import LatencyProvider, emit, max_in_flight, max_overlap, median

LEVELS = 2  # get_top_companies, then (get_stock_price + get_income_statement) per company
PER_COMPANY = 2  # level-2 calls per company
DEFAULT_CAP = DEFAULT_MAX_CONCURRENCY  # the driver's default bound


async def run_sequential(sector: str, top_n: int) -> float:
    """The reference pattern: blocking calls one after another (same tools, same provider)."""
    from tools.market import get_company_profile, get_income_statement, get_stock_price, get_top_companies

    start = time.perf_counter()
    top = await get_top_companies(sector=sector, limit=top_n)
    for company in top:
        symbol = company.symbol
        await get_stock_price(symbol=symbol)
        await get_company_profile(symbol=symbol)
        await get_income_statement(symbol=symbol, limit=2)
    return time.perf_counter() - start


async def run_orchestration(sector: str, top_n: int, max_concurrency: int) -> tuple[float, list[Any], Any]:
    """sector_analysis through a ToolRunner and a RunContext (as the driver runs it); its events and data."""
    from agent import load_defaults
    from orchestrations import RunContext, registered_orchestrations
    from tools import ToolRunner, registered_tools

    load_defaults()

    target = registered_orchestrations()["sector_analysis"]
    events: list[Any] = []
    runner = ToolRunner(registered_tools(), emit=events.append)
    ctx = RunContext(runner, max_concurrency=max_concurrency).child(target.name)
    params = target.validate({"sector": sector, "top_n": top_n})
    start = time.perf_counter()
    data = await target().run(params, ctx)
    return time.perf_counter() - start, events, data


async def measure_provider(provider: Any, sector: str, top_n: int, rounds: int, caps: dict[str, int]) -> dict[str, Any]:
    """Sequential, uncapped and capped runs over one provider, interleaved round by round."""
    from tools.market import use_provider

    times: dict[str, list[float]] = {"sequential": [], **{name: [] for name in caps}}
    peaks: dict[str, int] = {name: 0 for name in caps}
    overlap, calls, missing = 0, 0, []
    with use_provider(provider):
        await run_orchestration(sector, top_n, max(caps.values()))  # warm: connection, lookups, memo
        await run_sequential(sector, top_n)
        provider.work_by_method.clear()
        for _ in range(rounds):
            times["sequential"].append(await run_sequential(sector, top_n))
            for name, cap in caps.items():
                elapsed, events, data = await run_orchestration(sector, top_n, cap)
                times[name].append(elapsed)
                peaks[name] = max(peaks[name], max_in_flight(events))
                if name == "concurrent":
                    overlap = max(overlap, max_overlap(events))
                    calls = sum(type(e).__name__ == "ToolCallFinished" for e in events)
                    missing = data.missing
    # the wrapped provider's own time per call after the latency (median per method, thread hops included;
    # empty when memoised): the snapshot runs its queries one at a time (one connection, one lock)
    per_method = {k: round(median(v) * 1000, 2) for k, v in provider.work_by_method.items()}
    return {"times": times, "peaks": peaks, "overlap": overlap, "calls": calls, "missing": missing,
            "provider_ms_per_call": per_method}


def summary(m: dict[str, Any], top_n: int, latency: float, cap: int) -> dict[str, Any]:
    t = m["times"]
    s, c, k, d = median(t["sequential"]), median(t["concurrent"]), median(t["capped"]), median(t["default_cap"])
    critical = LEVELS * latency
    capped_critical = (1 + math.ceil(top_n * PER_COMPANY / cap)) * latency
    default_critical = (1 + math.ceil(top_n * PER_COMPANY / DEFAULT_CAP)) * latency
    return {
        "sequential_s": round(s, 4),
        "concurrent_s": round(c, 4),
        "concurrent_min_s": round(min(t["concurrent"]), 4),
        "critical_path_s": round(critical, 4),
        "ratio_to_critical_path": round(c / critical, 3),
        "speedup_vs_sequential": round(s / c, 2),
        "max_in_flight": m["peaks"]["concurrent"],
        "max_overlap": m["overlap"],
        "capped_concurrent_s": round(k, 4),
        "capped_critical_path_s": round(capped_critical, 4),
        "capped_ratio_to_critical_path": round(k / capped_critical, 3),
        "capped_max_in_flight": m["peaks"]["capped"],
        "default_cap_concurrent_s": round(d, 4),
        "default_cap_critical_path_s": round(default_critical, 4),
        "default_cap_max_in_flight": m["peaks"]["default_cap"],
        "provider_ms_per_call": m["provider_ms_per_call"],
    }


async def measure(sector: str, top_n: int, latency: float, rounds: int, cap: int) -> dict[str, Any]:
    from tools.market import SnapshotProvider

    caps = {"concurrent": max(64, 3 * top_n), "capped": cap, "default_cap": DEFAULT_CAP}
    real = LatencyProvider(SnapshotProvider(), latency)
    memo = LatencyProvider(SnapshotProvider(), latency, memo=True)
    measured = await measure_provider(real, sector, top_n, rounds, caps)
    memoised = await measure_provider(memo, sector, top_n, rounds, caps)
    await real.aclose()
    await memo.aclose()
    result = {
        "benchmark": "fanout",
        "orchestration": "sector_analysis",
        "sector": sector,
        "top_n": top_n,
        "latency_s": latency,
        "rounds": rounds,
        "tool_calls": measured["calls"],
        "sequential_calls": 1 + 3 * top_n,
        "missing": measured["missing"],
        "cap": cap,
        "default_cap": DEFAULT_CAP,
        **summary(measured, top_n, latency, cap),
        "memoised_provider": summary(memoised, top_n, latency, cap),
        "targets": {"ratio_to_critical_path": "<= 1.2", "speedup_vs_sequential": ">= 10", "capped_max_in_flight": f"<= {cap}"},
        "python": platform.python_version(),
    }
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench fanout")
    ap.add_argument("--sector", default="information technology")
    ap.add_argument("--top-n", type=int, default=10)
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cap", type=int, default=4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    r = asyncio.run(measure(args.sector, args.top_n, args.latency_ms / 1000, args.rounds, args.cap))
    emit(r, args.json, (
        f"fanout sector_analysis top_n={r['top_n']} latency={r['latency_s'] * 1000:g}ms: sequential {r['sequential_s']:.3f}s, "
        f"concurrent {r['concurrent_s']:.3f}s (critical path {r['critical_path_s']:.3f}s, ratio {r['ratio_to_critical_path']}), "
        f"speedup x{r['speedup_vs_sequential']}; cap {r['cap']}: {r['capped_concurrent_s']:.3f}s, "
        f"max in flight {r['capped_max_in_flight']}"
    ))
    return 0
