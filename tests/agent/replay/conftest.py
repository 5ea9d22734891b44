"""A small fan-out orchestration over in-memory tools, and a local chat-completions server."""

from __future__ import annotations

import asyncio
import itertools
import random

import pytest
from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import ToolError, tool

from .chat_server import ChatServer

LIVE = {"allowed": True}
"""Tests flip this off to prove a replay never runs the real tools."""
_ticks = itertools.count(1)


def _check_live() -> None:
    if not LIVE["allowed"]:
        raise AssertionError("a real tool ran during a replay")


@tool
async def price(symbol: str) -> dict:
    """Price of a symbol."""
    _check_live()
    await asyncio.sleep(random.random() * 0.02)
    if symbol == "BAD":
        raise ToolError(f"unknown symbol {symbol}", kind="not_found")
    return {"symbol": symbol, "price": round(10 + sum(map(ord, symbol)) / 10, 2)}


@tool(cache=False)
async def tick(label: str) -> int:
    """A counter: identical calls return different values (not cached)."""
    _check_live()
    value = next(_ticks)
    await asyncio.sleep(random.random() * 0.02)
    return value


class FanOutParams(BaseModel):
    symbols: list[str] = Field(description="tickers")


class FanOut(Orchestration):
    name = "fanout"
    description = "Prices for several tickers, fetched concurrently."
    Params = FanOutParams

    async def gather(self, params: FanOutParams, ctx: RunContext) -> OrchestrationData:
        calls = [ctx.fetch(price, symbol=s) for s in params.symbols]  # different and identical arguments
        calls += [ctx.fetch(tick, label="same") for _ in range(3)]
        values = await ctx.gather(*calls)
        quotes, ticks = values[: len(params.symbols)], values[len(params.symbols):]
        rows = [[q["symbol"], q["price"]] for q in quotes if q]
        return OrchestrationData(tables={"prices": Table("Prices", ["symbol", "price"], rows)}, facts={"ticks": ticks})


@pytest.fixture
def live_tools():
    LIVE["allowed"] = True
    yield LIVE
    LIVE["allowed"] = True


@pytest.fixture
def make_agent():
    from agent import Agent

    def make(llm, cassette=None, **kw):
        kw.setdefault("orchestrations", [FanOut])
        kw.setdefault("tools", [price, tick])
        if cassette is not None:
            llm, kw["tool_executor"] = cassette.wrap_llm(llm), cassette.tool_executor
        return Agent(llm, **kw)

    return make


@pytest.fixture
def chat_server():
    with ChatServer() as server:
        yield server


def comparable(reply) -> dict:
    """What a replay must reproduce: calls, answer, tables, usage; tool calls without timings, as a multiset."""
    data = reply.to_dict()
    data["tool_calls"] = sorted(
        ({k: v for k, v in c.items() if k != "duration_s"} for c in data["tool_calls"]),
        key=lambda c: repr(sorted(c.items())),
    )
    data["tables"] = reply.tables
    return data
