"""Shared parameter types and data-step helpers of the financial orchestrations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from tools.market import (
    CompanyProfile,
    IncomeStatement,
    PriceBar,
    Quote,
    current_provider,
    data_as_of,
    get_company_profile,
    get_historical_prices,
    get_income_statement,
    get_stock_price,
    share_classes,
    sp500,
)
from tools.market import Symbol as MarketSymbol

from .. import OrchestrationData, RunContext
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


INCOME_MEASURES = ("revenue", "net_income")
"""What a period needs to count for revenue, growth and margins: a statement without them is partial."""


def income_metrics(income: list[IncomeStatement]) -> dict[str, Any]:
    """Revenue, net income and margins of the latest fiscal period that has revenue and net income,
    and revenue growth over the periods that have revenue (statements newest first). Newer partial
    periods (e.g. a year with only EPS rows) are skipped and listed in `skipped`; each margin comes
    from the latest period that has its figures (`periods` names it where it differs)."""
    full = [s for s in income if s.revenue is not None and s.net_income is not None]
    if not full:
        return {"skipped": [s.fiscal_date.isoformat() for s in income]} if income else {}
    latest = full[0]
    skipped = [s.fiscal_date.isoformat() for s in income if s.fiscal_date > latest.fiscal_date]
    with_revenue = [s for s in income if s.revenue is not None and s.fiscal_date <= latest.fiscal_date]
    oldest = with_revenue[-1]
    years = round((latest.fiscal_date - oldest.fiscal_date).days / 365.25)
    previous = with_revenue[1] if len(with_revenue) > 1 else None
    margins: dict[str, float | None] = {}
    periods: dict[str, str] = {}
    for key, field in (("gross_margin", "gross_profit"), ("operating_margin", "operating_income"), ("net_margin", "net_income")):
        source = next((s for s in full if getattr(s, field) is not None), None)
        margins[key] = m.ratio(getattr(source, field), source.revenue) if source else None
        if source and source is not latest:
            periods[key] = source.fiscal_date.isoformat()
    return {
        "fiscal_date": latest.fiscal_date.isoformat(),
        "revenue": latest.revenue,
        "net_income": latest.net_income,
        **margins,
        "revenue_growth_yoy": m.growth(latest.revenue, previous.revenue) if previous else None,
        "revenue_cagr": m.cagr(latest.revenue, oldest.revenue, years) if years else None,
        "years": f"{oldest.fiscal_date} to {latest.fiscal_date}",
        "skipped": skipped,
        "periods": periods,
    }


def skipped_note(symbol: str, metrics: dict[str, Any]) -> str | None:
    """A sentence naming the partial periods `income_metrics` skipped for `symbol`, and any margin
    taken from an older period, or None."""
    skipped = metrics.get("skipped") or []
    older = [f"{key.replace('_', ' ')} from the year ended {day}" for key, day in (metrics.get("periods") or {}).items()]
    if not skipped and not older:
        return None
    if not skipped:
        return f"{symbol}: {', '.join(older)} (the latest year with those figures)."
    used = metrics.get("fiscal_date")
    where = f"its figures are from the year ended {used}" if used else "it has no period with both"
    which = (f"the statement for the period ended {skipped[0]} has" if len(skipped) == 1 else
             f"the statements for the periods ended {', '.join(skipped)} have")
    also = f"; {', '.join(older)}" if older else ""
    return f"{symbol}: {which} no revenue or net income in the data (a partial record); {where}{also}."


def dated(title: str, as_of: date, price_dates: Iterable[Any] = (), then: str = "") -> str:
    """`title as of DATE` (then `then`), naming any price date that differs from the analysis date."""
    other = sorted({str(d) for d in price_dates if d is not None and str(d) != as_of.isoformat()})
    stale = f" (last prices: {', '.join(other)})" if other else ""
    return f"{title} as of {as_of}{stale}{then}"


def not_covered(symbols: Iterable[str]) -> OrchestrationData | None:
    """When the data provider does not cover some of `symbols`: one answer saying which company, that
    the data does not cover it, and what would; no tool is called for them. None when all are covered
    (or the provider is open-ended, like a live API)."""
    provider = current_provider()
    known = provider.symbols()
    wanted = list(dict.fromkeys(s.strip().upper().replace(".", "-") for s in symbols))
    missing = [s for s in wanted if known is not None and s not in known]
    if not missing:
        return None
    read_meta = getattr(provider, "meta", None)
    meta: dict[str, str] = read_meta() if callable(read_meta) else {}
    holds = (f", which holds {meta.get('companies')} large US companies with prices to {meta.get('prices_last_date')}"
             if meta.get("companies") else "")
    where = "the offline snapshot" if provider.name == "snapshot" else f"the {provider.name} data"
    members = sp500()
    sentences = []
    for sym in missing:
        member = members.get(sym)
        who = (f"{member.name} ({sym}), an S&P 500 company ({member.sector}: {member.sub_industry}), is"
               if member else f"{sym} is not an S&P 500 member and is")
        twins = [t for t in share_classes(sym)[1:] if known is not None and t in known]
        also = f" Its other share class {twins[0]} is." if twins else ""
        sentences.append(f"{who} not covered by {where}{holds}.{also}")
    would = "would" if all(s in members for s in missing) else "may"
    fix = (f"Live data {would} cover it: run with `--data fmp` and FMP_API_KEY set."
           if provider.name == "snapshot" else "Another data provider may cover it.")
    covered = [s for s in wanted if s not in missing]
    rest = f" {', '.join(covered)} {'is' if len(covered) == 1 else 'are'} covered: ask about {'it' if len(covered) == 1 else 'them'} alone." if covered else ""
    answer = " ".join(sentences) + " " + fix + rest
    facts = {"not_covered": missing, "coverage": answer, "as_of": data_as_of(provider).isoformat(),
             "companies": meta.get("companies"), "prices_last_date": meta.get("prices_last_date")}
    return OrchestrationData(facts={k: v for k, v in facts.items() if v is not None}, answer=answer)


def price_metrics(bars: list[PriceBar] | None) -> dict[str, Any]:
    if not bars:
        return {}
    prices = m.closes(bars)
    return {
        "from": bars[0].date.isoformat(), "to": bars[-1].date.isoformat(),
        "total_return": m.total_return(prices), "volatility": m.volatility(prices), "max_drawdown": m.max_drawdown(prices),
    }
