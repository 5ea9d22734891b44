"""Shared parameter types and data-step helpers of the financial orchestrations."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from tools.market import Symbol as MarketSymbol
from tools.market import get_company_profile, get_historical_prices, get_income_statement, get_stock_price

from .. import RunContext
from . import _metrics as m

Symbol = Annotated[MarketSymbol, Field(description="Stock ticker symbol, e.g. AAPL")]
Horizon = Literal["short-term", "medium-term", "long-term"]
LOOKBACK_DAYS = {"6 months": 182, "1 year": 365, "3 years": 1095, "5 years": 1826, "short-term": 182, "medium-term": 365, "long-term": 1095}


def lookback_days(horizon: str) -> int:
    """History to look at for a forward horizon: the same span back, e.g. '3 years' -> 1095 days."""
    text = horizon.lower().strip()
    if text in LOOKBACK_DAYS:
        return LOOKBACK_DAYS[text]
    digits = "".join(c for c in text if c.isdigit())
    n = int(digits) if digits else 1
    return min(max(n * (30 if "month" in text else 365), 30), 3660)


async def company_snapshot(ctx: RunContext, symbol: str, *, years: int = 3, days: int | None = None) -> dict[str, Any]:
    """Quote, profile and income statements (and prices over `days`) fetched concurrently."""
    steps = [
        ctx.fetch(get_stock_price, symbol=symbol),
        ctx.fetch(get_company_profile, symbol=symbol),
        ctx.fetch(get_income_statement, symbol=symbol, limit=years),
    ]
    if days:
        steps.append(ctx.fetch(get_historical_prices, symbol=symbol, last_n_days=days))
    values = await ctx.gather(*steps)
    return {"symbol": symbol, "quote": values[0], "profile": values[1], "income": values[2] or [], "prices": values[3] if days else None}


def income_metrics(income: list[dict[str, Any]]) -> dict[str, Any]:
    """Latest revenue, net income and margins, and growth over the statements given (newest first)."""
    if not income:
        return {}
    latest = income[0]
    oldest = income[-1]
    years = max(len(income) - 1, 0)
    return {
        "fiscal_date": latest["fiscal_date"],
        "revenue": latest.get("revenue"),
        "net_income": latest.get("net_income"),
        "gross_margin": m.ratio(latest.get("gross_profit"), latest.get("revenue")),
        "operating_margin": m.ratio(latest.get("operating_income"), latest.get("revenue")),
        "net_margin": m.ratio(latest.get("net_income"), latest.get("revenue")),
        "revenue_growth_yoy": m.growth(latest.get("revenue"), income[1].get("revenue")) if len(income) > 1 else None,
        "revenue_cagr": m.cagr(latest.get("revenue"), oldest.get("revenue"), years) if years else None,
        "years": f"{oldest['fiscal_date']}..{latest['fiscal_date']}",
    }


def price_metrics(bars: list[dict[str, Any]] | None) -> dict[str, Any]:
    if not bars:
        return {}
    prices = m.closes(bars)
    return {
        "from": bars[0]["date"], "to": bars[-1]["date"],
        "total_return": m.total_return(prices), "volatility": m.volatility(prices), "max_drawdown": m.max_drawdown(prices),
    }
