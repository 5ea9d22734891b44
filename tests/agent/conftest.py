"""Small orchestrations over in-memory tools, for testing the driver without market data."""

import asyncio

import pytest
from pydantic import BaseModel, Field

from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import tool


@tool
async def quote(symbol: str) -> dict:
    """Quote for a symbol."""
    await asyncio.sleep(0.02)
    if symbol == "BAD":
        raise ValueError("no such symbol")
    return {"symbol": symbol, "price": {"AAA": 10.0, "BBB": 20.0}.get(symbol, 1.0)}


@tool
async def sector_members(sector: str) -> list[str]:
    """Members of a sector."""
    await asyncio.sleep(0.01)
    return ["AAA", "BBB", "CCC"]


class CompareParams(BaseModel):
    symbol1: str = Field(description="first ticker")
    symbol2: str = Field(description="second ticker")


class Compare(Orchestration):
    name = "compare"
    description = "Compare two companies."
    Params = CompareParams

    async def gather(self, params: CompareParams, ctx: RunContext) -> OrchestrationData:
        a, b = await ctx.gather(ctx.fetch(quote, symbol=params.symbol1), ctx.fetch(quote, symbol=params.symbol2))
        rows = [[q["symbol"], q["price"]] for q in (a, b) if q]
        return OrchestrationData(tables={"prices": Table("Prices", ["symbol", "price"], rows)})


class SectorParams(BaseModel):
    sector: str
    top_n: int = Field(3, ge=1, le=10)


class Sector(Orchestration):
    name = "sector"
    description = "Analyse a sector."
    Params = SectorParams

    async def gather(self, params: SectorParams, ctx: RunContext) -> OrchestrationData:
        members = await ctx.fetch(sector_members, sector=params.sector) or []
        quotes = await ctx.gather(*(ctx.fetch(quote, symbol=s) for s in members[: params.top_n]))
        rows = [[q["symbol"], q["price"]] for q in quotes if q]
        return OrchestrationData(tables={"top": Table("Top", ["symbol", "price"], rows)}, facts={"n": len(rows)})


@pytest.fixture
def make_agent():
    from agent import Agent

    def make(llm, **kw):
        kw.setdefault("orchestrations", [Compare, Sector])
        kw.setdefault("tools", [quote, sector_members])
        return Agent(llm, **kw)

    return make
