"""Helpers shared by the `fanout`, `overhead` and `llm_calls` benchmarks (and their regression guards)."""

from __future__ import annotations

import asyncio
import inspect
import json
import statistics
import time
from typing import Any

from tools import ToolCallFinished, ToolCallStarted


class LatencyProvider:
    """Wraps a data provider: every coroutine method first sleeps `latency` seconds (a network round trip).

    Counts calls, the time spent inside the wrapped provider (`work_s`, after the sleep) and the peak
    number of provider calls in flight. With `memo=True` each distinct call reaches the wrapped provider
    once and is then answered from memory after the latency: a remote provider whose own work is
    negligible next to its round trip (the framework's cost alone is then measured).
    """

    def __init__(self, inner: Any, latency: float = 0.05, *, memo: bool = False):
        self.inner = inner
        self.latency = latency
        self.memo = memo
        self.name = f"{getattr(inner, 'name', 'provider')}+{latency * 1000:g}ms"
        self.calls = 0
        self.work_s = 0.0
        self.work_by_method: dict[str, list[float]] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._answers: dict[str, Any] = {}

    def __getattr__(self, attr: str) -> Any:
        value = getattr(self.inner, attr)
        if not inspect.iscoroutinefunction(value) or attr == "aclose":
            return value

        async def delayed(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                await asyncio.sleep(self.latency)
                key = repr((attr, args, sorted(kwargs.items())))
                if self.memo and key in self._answers:
                    return self._answers[key]
                start = time.perf_counter()
                try:
                    answer = await value(*args, **kwargs)
                finally:
                    spent = time.perf_counter() - start
                    self.work_s += spent
                    self.work_by_method.setdefault(attr, []).append(spent)
                if self.memo:
                    self._answers[key] = answer
                return answer
            finally:
                self.in_flight -= 1

        return delayed

    def symbols(self):
        return self.inner.symbols()

    def company_names(self):
        return self.inner.company_names()

    async def aclose(self) -> None:
        await self.inner.aclose()


def max_in_flight(events: list[Any]) -> int:
    """Peak number of tool calls between their ToolCallStarted and ToolCallFinished events (event order)."""
    live = peak = 0
    for e in events:
        if isinstance(e, ToolCallStarted):
            live += 1
            peak = max(peak, live)
        elif isinstance(e, ToolCallFinished):
            live -= 1
    return peak


def max_overlap(events: list[Any]) -> int:
    """Peak number of tool-call intervals [started_at, finished_at) overlapping in time (from the timestamps)."""
    points: list[tuple[float, int]] = []
    for e in events:
        if isinstance(e, ToolCallFinished):
            points += [(e.started_at, 1), (e.finished_at, -1)]
    live = peak = 0
    for _, delta in sorted(points, key=lambda p: (p[0], p[1])):  # an end before a start at the same instant
        live += delta
        peak = max(peak, live)
    return peak


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def emit(result: dict[str, Any], as_json: bool, human: str) -> None:
    print(json.dumps(result, sort_keys=False) if as_json else human)
