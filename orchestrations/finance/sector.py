"""Sector-level analyses: `sector_analysis` and `market_trend_prediction`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from tools.market import (
    CompanyRank,
    IncomeStatement,
    PriceBar,
    Quote,
    SectorOrIndustry,
    get_historical_prices,
    get_income_statement,
    get_stock_price,
    get_top_companies,
    industry_members,
    is_sector,
    sp500,
)

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _findings as F
from . import _metrics as m
from ._common import data_as_of, dated, income_metrics, lookback_days, skipped_note

T = TypeVar("T")
EXTRA_CANDIDATES = 5
"""Companies beyond `top_n` looked at, so that members without the data needed can be left out."""


class SectorAnalysisParams(BaseModel):
    sector: SectorOrIndustry
    top_n: int = Field(5, ge=1, le=20, description="How many of the largest companies to analyse")


@register
class SectorAnalysis(Orchestration[SectorAnalysisParams]):
    name = "sector_analysis"
    description = "Analyse a sector or industry: its largest companies by market cap with revenue, net income, margins, P/E, each compared with the median."
    examples = [
        "Which companies dominate the energy sector, and how do their margins and valuations compare?",
        "Show me the ten largest information technology firms by market value.",
        "Break down the financials sector: who are the largest players and what do they earn?",
        "Rank the leading real estate companies by size and profitability.",
        "How do the big materials companies compare on revenue, net income and P/E?",
    ]
    Params = SectorAnalysisParams
    template = "sector_analysis.md"

    async def gather(self, params: SectorAnalysisParams, ctx: RunContext) -> OrchestrationData:
        as_of = data_as_of()
        top = await candidates(ctx, params.sector, params.top_n + EXTRA_CANDIDATES)
        fetched = await in_waves(ctx, top, params.top_n, lambda c: self._company(ctx, c.symbol),
                                 lambda d: d[0] is not None and income_metrics(d[1] or []).get("revenue") is not None)
        rows: list[dict[str, Any]] = []
        left_out: list[str] = []
        notes: list[str] = []
        for company, (quote, income) in fetched:
            if len(rows) == params.top_n:
                break
            metrics = income_metrics(income or [])
            if quote is None or metrics.get("revenue") is None:  # ranked only with a price and a full fiscal year
                left_out.append(f"{company.symbol} (no {'price' if quote is None else 'revenue'} by {as_of})")
                continue
            notes += [n for n in [skipped_note(company.symbol, metrics)] if n]
            rows.append({
                "symbol": company.symbol, "name": company.name, "market_cap": quote.market_cap or company.market_cap,
                "revenue": metrics.get("revenue"), "net_income": metrics.get("net_income"),
                "gross_margin": metrics.get("gross_margin"), "net_margin": metrics.get("net_margin"),
                "pe": quote.pe, "fiscal_date": metrics.get("fiscal_date"), "price_date": quote.as_of,
            })
        explained(ctx, left_out)
        medians = {k: m.median([r[k] for r in rows]) for k in ("market_cap", "revenue", "net_margin", "pe")}
        table = Table(
            dated(f"{params.sector}: top {len(rows)} by market cap", as_of, [r["price_date"] for r in rows]),
            ["symbol", "name", "market cap", "revenue", "net income", "gross margin %", "net margin %", "P/E", "P/E vs median %", "net margin vs median (pp)", "fiscal year"],
            [[r["symbol"], r["name"], r["market_cap"], r["revenue"], r["net_income"], m.pct(r["gross_margin"]), m.pct(r["net_margin"]),
              m.rounded(r["pe"]), m.pct(m.growth(r["pe"], medians["pe"])),
              None if r["net_margin"] is None or medians["net_margin"] is None else round((r["net_margin"] - medians["net_margin"]) * 100, 2),
              r["fiscal_date"]] for r in rows],
            note=" ".join(["Market caps and P/E at the last close by the as-of date; statements: the latest fiscal year "
                           "ended by then with revenue and net income.", *notes]),
        )
        median_table = Table(dated("Medians of the companies shown", as_of), ["market cap", "revenue", "net margin %", "P/E"],
                             [[medians["market_cap"], medians["revenue"], m.pct(medians["net_margin"]), m.rounded(medians["pe"])]])
        facts = {"sector": params.sector, "as_of": as_of.isoformat(), "left_out": left_out, **coverage(params.sector, top)}
        return OrchestrationData(tables={"companies": table, "medians": median_table}, facts=facts)

    def find(self, params: SectorAnalysisParams, data: OrchestrationData):
        return F.sector(params.sector, data.tables, data.missing, data.facts)

    @staticmethod
    async def _company(ctx: RunContext, symbol: str) -> tuple[Quote | None, list[IncomeStatement] | None]:
        return await asyncio.gather(ctx.fetch(get_stock_price, symbol=symbol), ctx.fetch(get_income_statement, symbol=symbol, limit=2))


class MarketTrendParams(BaseModel):
    sector: SectorOrIndustry
    timeframe: str = Field("1 year", description="How far ahead the user is asking about, in the user's words, e.g. '2 years'")


@register
class MarketTrendPrediction(Orchestration[MarketTrendParams]):
    name = "market_trend_prediction"
    description = "Predict a sector's or industry's market trend over a timeframe from its top companies and a price index computed from their histories."
    examples = [
        "What direction will the utilities sector take over the next two years?",
        "Forecast how consumer discretionary stocks will perform in the coming year.",
        "Is the materials sector in an uptrend or a downtrend?",
        "Describe the recent price trend of real estate stocks and what it suggests for the next year.",
        "Outlook for communication services over the next six months.",
    ]
    Params = MarketTrendParams
    template = "market_trend_prediction.md"
    members = 5

    async def gather(self, params: MarketTrendParams, ctx: RunContext) -> OrchestrationData:
        days = lookback_days(params.timeframe)
        as_of = data_as_of()
        top = await candidates(ctx, params.sector, self.members + EXTRA_CANDIDATES)
        fetched = await in_waves(ctx, top, self.members, lambda c: ctx.fetch(get_historical_prices, symbol=c.symbol, last_n_days=days),
                                 lambda bars: len(bars or []) >= 2)
        chosen: list[tuple[CompanyRank, list[PriceBar]]] = []
        left_out: list[str] = []
        for c, bars in fetched:
            if len(chosen) == self.members:
                break
            if bars and len(bars) >= 2:  # an index member needs prices over the lookback
                chosen.append((c, bars))
            else:
                left_out.append(f"{c.symbol} (no prices by {as_of})")
        explained(ctx, left_out)
        series = {c.symbol: bars for c, bars in chosen}
        index = m.equal_weight_index(series)
        values = [v for _, v in index]
        members = Table(dated("Members over the lookback", as_of), ["symbol", "name", "market cap", "return %", "volatility %", "max drawdown %", "from", "to"], [
            [c.symbol, c.name, c.market_cap, m.pct(m.total_return(m.closes(b))), m.pct(m.volatility(m.closes(b))),
             m.pct(m.max_drawdown(m.closes(b))), b[0].date, b[-1].date]
            for c, b in chosen
        ])
        stats = Table(dated(f"{params.sector} equal-weight index ({len(series)} members, base 100)", as_of), ["metric", "value"], [
            ["first day", index[0][0] if index else None], ["last day", index[-1][0] if index else None],
            ["index level", m.rounded(values[-1]) if values else None], ["total return %", m.pct(m.total_return(values))],
            ["annualised trend %", m.pct(m.annualised_trend(values))], ["annualised volatility %", m.pct(m.volatility(values))],
            ["max drawdown %", m.pct(m.max_drawdown(values))],
            ["last vs 50-day average %", m.pct(m.growth(values[-1], sum(values[-50:]) / len(values[-50:]))) if values else None],
        ], note="total return: first to last day; annualised trend: the slope of a log-linear fit through every daily level, as a yearly rate.")
        monthly = Table(dated("Index by month", as_of), ["month", "level"], _monthly(index))
        facts = {"timeframe": params.timeframe, "lookback_days": days, "as_of": as_of.isoformat(), "left_out": left_out,
                 **coverage(params.sector, top)}
        return OrchestrationData(tables={"index": stats, "members": members, "monthly": monthly}, facts=facts)

    def find(self, params: MarketTrendParams, data: OrchestrationData):
        return F.trend(params.sector, params.timeframe, data.tables, data.missing, data.facts)


async def candidates(ctx: RunContext, group: str, limit: int) -> list[CompanyRank]:
    """The largest companies of a sector or industry group by market cap as of the data's date."""
    if is_sector(group):
        return await ctx.fetch(get_top_companies, sector=group, limit=min(limit, 50)) or []
    return await ctx.fetch(get_top_companies, industry=group, limit=min(limit, 50)) or []


async def in_waves(ctx: RunContext, ranked: list[CompanyRank], wanted: int, fetch: Callable[[CompanyRank], Awaitable[T]],
                   usable: Callable[[T], bool]) -> list[tuple[CompanyRank, T]]:
    """Each company's data in rank order, fetched concurrently in waves: the first `wanted`, then as
    many more as came back without the data needed, until `wanted` have it or the ranking ends."""
    out: list[tuple[CompanyRank, T]] = []
    good = start = 0
    while good < wanted and start < len(ranked):
        wave = ranked[start:start + wanted - good]
        results = await ctx.gather(*(fetch(c) for c in wave))
        out += zip(wave, results)
        good += sum(1 for r in results if usable(r))
        start += len(wave)
    return out


def explained(ctx: RunContext, left_out: list[str]) -> None:
    """Failed calls about the companies left out are said by the findings: not again as missing data."""
    symbols = [x.split(" ", 1)[0] for x in left_out]
    ctx.missing[:] = [x for x in ctx.missing if not any(f"symbol={s!r}" in x for s in symbols)]


def coverage(group: str, ranked: list[CompanyRank]) -> dict[str, Any]:
    """How many S&P 500 members the group has, for the findings to say how much of it the data covers."""
    subs = set(industry_members(group))
    members = [m for m in sp500().values() if (m.sector == group if is_sector(group) else m.sub_industry in subs)]
    return {"sp500_members": len(members)} if members else {}


def _monthly(index: list[tuple[date, float]]) -> list[list[Any]]:
    last_per_month: dict[str, float] = {}
    for day, level in index:
        last_per_month[str(day)[:7]] = level
    return [[month, round(level, 2)] for month, level in last_per_month.items()]
