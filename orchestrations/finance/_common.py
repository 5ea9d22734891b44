"""Shared parameter types and data-step helpers of the financial orchestrations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from tools.market import (
    CompanyProfile,
    IncomeStatement,
    PriceBar,
    Quote,
    get_company_profile,
    get_historical_prices,
    get_income_statement,
    get_stock_price,
)
from tools.market import Symbol as MarketSymbol

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


@dataclass(slots=True)
class CompanySnapshot:
    """What most analyses start from: one company's quote, profile, statements (and prices)."""

    symbol: str
    quote: Quote | None
    profile: CompanyProfile | None
    income: list[IncomeStatement]
    prices: list[PriceBar] | None = None

    @property
    def name(self) -> str | None:
        return self.profile.name if self.profile else None

    @property
    def market_cap(self) -> float | None:
        return (self.quote.market_cap if self.quote else None) or (self.profile.market_cap if self.profile else None)


async def company_snapshot(ctx: RunContext, symbol: str, *, years: int = 3, days: int | None = None) -> CompanySnapshot:
    """Quote, profile and income statements (and prices over `days`) fetched concurrently."""
    quote, profile, income, prices = await ctx.gather(
        ctx.fetch(get_stock_price, symbol=symbol),
        ctx.fetch(get_company_profile, symbol=symbol),
        ctx.fetch(get_income_statement, symbol=symbol, limit=years),
        ctx.fetch(get_historical_prices, symbol=symbol, last_n_days=days) if days else _none(),
    )
    return CompanySnapshot(symbol, quote, profile, income or [], prices)


async def _none() -> None:
    return None


def income_metrics(income: list[IncomeStatement]) -> dict[str, Any]:
    """Latest revenue, net income and margins, and growth over the statements given (newest first)."""
    if not income:
        return {}
    latest = income[0]
    oldest = income[-1]
    years = max(len(income) - 1, 0)
    return {
        "fiscal_date": latest.fiscal_date.isoformat(),
        "revenue": latest.revenue,
        "net_income": latest.net_income,
        "gross_margin": m.ratio(latest.gross_profit, latest.revenue),
        "operating_margin": m.ratio(latest.operating_income, latest.revenue),
        "net_margin": m.ratio(latest.net_income, latest.revenue),
        "revenue_growth_yoy": m.growth(latest.revenue, income[1].revenue) if len(income) > 1 else None,
        "revenue_cagr": m.cagr(latest.revenue, oldest.revenue, years) if years else None,
        "years": f"{oldest.fiscal_date}..{latest.fiscal_date}",
    }


def price_metrics(bars: list[PriceBar] | None) -> dict[str, Any]:
    if not bars:
        return {}
    prices = m.closes(bars)
    return {
        "from": bars[0].date.isoformat(), "to": bars[-1].date.isoformat(),
        "total_return": m.total_return(prices), "volatility": m.volatility(prices), "max_drawdown": m.max_drawdown(prices),
    }
