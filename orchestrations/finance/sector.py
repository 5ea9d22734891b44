"""Sector-level analyses: `sector_analysis` and `market_trend_prediction`."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from tools.market import (
    IncomeStatement,
    Quote,
    SectorName,
    get_historical_prices,
    get_income_statement,
    get_stock_price,
    get_top_companies,
)

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _findings as F
from . import _metrics as m
from ._common import income_metrics, lookback_days


class SectorAnalysisParams(BaseModel):
    sector: SectorName
    top_n: int = Field(5, ge=1, le=20, description="How many of the largest companies to analyse")


@register
class SectorAnalysis(Orchestration[SectorAnalysisParams]):
    name = "sector_analysis"
    description = "Analyse a sector: its largest companies by market cap with revenue, net income, margins, P/E, each compared with the sector median."
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
        top = await ctx.fetch(get_top_companies, sector=params.sector, limit=params.top_n) or []
        details = await ctx.gather(*(self._company(ctx, c.symbol) for c in top))
        rows: list[dict[str, Any]] = []
        for company, (quote, income) in zip(top, details):
            metrics = income_metrics(income or [])
            rows.append({
                "symbol": company.symbol, "name": company.name, "market_cap": company.market_cap,
                "revenue": metrics.get("revenue"), "net_income": metrics.get("net_income"),
                "gross_margin": metrics.get("gross_margin"), "net_margin": metrics.get("net_margin"),
                "pe": quote.pe if quote else None, "fiscal_date": metrics.get("fiscal_date"),
            })
        medians = {k: m.median([r[k] for r in rows]) for k in ("market_cap", "revenue", "net_margin", "pe")}
        table = Table(
            f"{params.sector}: top {len(rows)} by market cap",
            ["symbol", "name", "market cap", "revenue", "net income", "gross margin %", "net margin %", "P/E", "P/E vs median %", "net margin vs median (pp)", "fiscal year"],
            [[r["symbol"], r["name"], r["market_cap"], r["revenue"], r["net_income"], m.pct(r["gross_margin"]), m.pct(r["net_margin"]),
              m.rounded(r["pe"]), m.pct(m.growth(r["pe"], medians["pe"])),
              None if r["net_margin"] is None or medians["net_margin"] is None else round((r["net_margin"] - medians["net_margin"]) * 100, 2),
              r["fiscal_date"]] for r in rows],
            note=f"Market caps as of {(top[0].market_cap_as_of if top else None) or 'n/a'}; statements are the latest fiscal year.",
        )
        median_table = Table("Sector medians", ["market cap", "revenue", "net margin %", "P/E"],
                             [[medians["market_cap"], medians["revenue"], m.pct(medians["net_margin"]), m.rounded(medians["pe"])]])
        return OrchestrationData(tables={"companies": table, "medians": median_table}, facts={"sector": params.sector})

    def find(self, params: SectorAnalysisParams, data: OrchestrationData):
        return F.sector(params.sector, data.tables, data.missing)

    @staticmethod
    async def _company(ctx: RunContext, symbol: str) -> tuple[Quote | None, list[IncomeStatement] | None]:
        return await asyncio.gather(ctx.fetch(get_stock_price, symbol=symbol), ctx.fetch(get_income_statement, symbol=symbol, limit=2))


class MarketTrendParams(BaseModel):
    sector: SectorName
    timeframe: str = Field("1 year", description="How far ahead the user is asking about, in the user's words, e.g. '2 years'")


@register
class MarketTrendPrediction(Orchestration[MarketTrendParams]):
    name = "market_trend_prediction"
    description = "Predict a sector's market trend over a timeframe from its top companies and a sector price index computed from their histories."
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
        top = await ctx.fetch(get_top_companies, sector=params.sector, limit=self.members) or []
        histories = await ctx.gather(*(ctx.fetch(get_historical_prices, symbol=c.symbol, last_n_days=days) for c in top))
        series = {c.symbol: bars or [] for c, bars in zip(top, histories)}
        index = m.equal_weight_index(series)
        values = [v for _, v in index]
        members = Table("Members over the lookback", ["symbol", "name", "market cap", "return %", "volatility %", "max drawdown %", "from", "to"], [
            [c.symbol, c.name, c.market_cap, m.pct(m.total_return(m.closes(b))), m.pct(m.volatility(m.closes(b))),
             m.pct(m.max_drawdown(m.closes(b))), b[0].date if b else None, b[-1].date if b else None]
            for c, b in ((c, series[c.symbol]) for c in top)
        ])
        stats = Table(f"{params.sector} equal-weight index ({len(series)} members, base 100)", ["metric", "value"], [
            ["first day", index[0][0] if index else None], ["last day", index[-1][0] if index else None],
            ["index level", m.rounded(values[-1]) if values else None], ["total return %", m.pct(m.total_return(values))],
            ["annualised trend %", m.pct(m.annualised_trend(values))], ["annualised volatility %", m.pct(m.volatility(values))],
            ["max drawdown %", m.pct(m.max_drawdown(values))],
            ["last vs 50-day average %", m.pct(m.growth(values[-1], sum(values[-50:]) / len(values[-50:]))) if values else None],
        ])
        monthly = Table("Index by month", ["month", "level"], _monthly(index))
        return OrchestrationData(tables={"index": stats, "members": members, "monthly": monthly},
                                 facts={"timeframe": params.timeframe, "lookback_days": days})

    def find(self, params: MarketTrendParams, data: OrchestrationData):
        return F.trend(params.sector, params.timeframe, data.tables, data.missing)


def _monthly(index: list[tuple[date, float]]) -> list[list[Any]]:
    last_per_month: dict[str, float] = {}
    for day, level in index:
        last_per_month[str(day)[:7]] = level
    return [[month, round(level, 2)] for month, level in last_per_month.items()]
