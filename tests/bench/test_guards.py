"""Regression guards for issue 7 (no wall-clock asserts): LLM calls per turn, fan-out overlap, the cap.

Overlap and the cap are read from the event trace (ToolCallStarted/ToolCallFinished order and their
recorded intervals), with a provider that adds a fixed latency to every call so that independent
calls must be in flight together if the orchestration really runs them concurrently.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the `bench` package lives at the repository root (not installed)

from agent import Agent  # noqa: E402
from agent import load_defaults  # noqa: E402
from agent.events import ToolCallFinished, ToolCallStarted  # noqa: E402
from agent.testing import ScriptedLLM, call  # noqa: E402
from bench._common import LatencyProvider, max_in_flight, max_overlap  # noqa: E402
from tools.market import SnapshotProvider, use_provider  # noqa: E402

load_defaults()

LATENCY = 0.1  # long next to the per-call work, so a missing overlap cannot hide behind scheduling noise
TOP_N = 10
LEVEL2 = 2 * TOP_N  # get_stock_price + get_income_statement per company


@pytest.fixture
def snapshot():
    provider = SnapshotProvider()
    with use_provider(provider):
        yield provider
    provider.close()


@pytest.fixture
def slow_snapshot():
    provider = LatencyProvider(SnapshotProvider(), LATENCY)
    with use_provider(provider):
        yield provider
    provider.inner.close()


# -- LLM calls per turn ----------------------------------------------------------------------------
@pytest.mark.parametrize("calls, expected_llm_calls", [
    ([], 1),
    ([("financial_health_assessment", {"symbol": "JNJ"})], 2),
    ([("company_competitive_analysis", {"symbol": "KO"})], 2),
    ([("market_trend_prediction", {"sector": "energy"}), ("strategic_investment_analysis", {"symbol": "FSLR", "time_horizon": "long-term"})], 2),
    ([("sector_analysis", {"sector": "financials", "top_n": 3}), ("company_comparative_analysis", {"symbol1": "JPM", "symbol2": "BAC"})], 2),
])
async def test_llm_calls_per_turn(snapshot, calls, expected_llm_calls):
    routing = [call(name, args) for name, args in calls] if calls else "I answer this one myself."
    llm = ScriptedLLM([routing, "The analysis."] if calls else [routing])
    reply = await Agent(llm).achat("a question")
    assert reply.error is None
    assert [c["name"] for c in reply.calls] == [name for name, _ in calls]
    assert reply.llm_calls == expected_llm_calls == len(llm.requests) == reply.usage.requests
    llm.assert_complete()


async def test_llm_calls_per_turn_with_a_repair(snapshot):
    """A rejected routing reply costs one more call (and only one)."""
    llm = ScriptedLLM([call("no_such_analysis", {}), call("financial_health_assessment", {"symbol": "JNJ"}), "ok"])
    reply = await Agent(llm).achat("How healthy is JNJ?")
    assert reply.llm_calls == 3 and reply.error is None
    llm.assert_complete()


# -- fan-out ---------------------------------------------------------------------------------------
async def _sector_trace(max_concurrency: int) -> list:
    llm = ScriptedLLM([call("sector_analysis", {"sector": "information technology", "top_n": TOP_N}), "ok"])
    reply = await Agent(llm, max_concurrency=max_concurrency).achat("top 10 tech companies")
    assert reply.error is None
    finished = [e for e in reply.events if isinstance(e, ToolCallFinished)]
    assert len(finished) == 1 + LEVEL2 and all(e.ok for e in finished)
    return reply.events


async def test_sector_analysis_level2_calls_all_overlap(slow_snapshot):
    events = await _sector_trace(max_concurrency=64)
    # by event order: every level-2 call starts before any of them finishes
    assert max_in_flight(events) == LEVEL2
    # by recorded intervals: the screener runs alone, then all 20 level-2 intervals share an instant
    finished = [e for e in events if isinstance(e, ToolCallFinished)]
    screener = next(e for e in finished if e.tool == "get_top_companies")
    level2 = [e for e in finished if e is not screener]
    assert all(e.started_at >= screener.finished_at for e in level2)
    assert max(e.started_at for e in level2) < min(e.finished_at for e in level2)
    assert max_overlap(events) == LEVEL2
    assert slow_snapshot.max_in_flight == LEVEL2


@pytest.mark.parametrize("cap", [1, 4, 8])
async def test_concurrency_cap_is_respected(slow_snapshot, cap):
    events = await _sector_trace(max_concurrency=cap)
    assert max_in_flight(events) == cap  # bounded, and the bound is used
    assert max_overlap(events) <= cap
    assert slow_snapshot.max_in_flight <= cap
    started = [e for e in events if isinstance(e, ToolCallStarted)]
    assert len(started) == 1 + LEVEL2
