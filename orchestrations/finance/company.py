"""Company analyses: comparative, strategic investment, competitive position."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from tools.market import get_balance_sheet, get_cash_flow, get_peers, get_stock_price

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _findings as F
from . import _metrics as m
from ._common import (
    CompanySnapshot,
    Horizon,
    Symbol,
    company_snapshot,
    data_as_of,
    dated,
    income_metrics,
    lookback_days,
    not_covered,
    price_metrics,
    skipped_note,
)

PROFILE_COLUMNS = ["symbol", "name", "sector", "industry", "market cap", "beta"]


def _profile_row(snap: CompanySnapshot) -> list[Any]:
    p = snap.profile
    return [snap.symbol, snap.name, p.sector if p else None, p.industry if p else None, snap.market_cap, p.beta if p else None]


def _quote_dates(snaps: list[CompanySnapshot]) -> list[Any]:
    return [s.quote.as_of for s in snaps if s.quote]


def _partial(snaps: list[CompanySnapshot]) -> list[str]:
    """A sentence per company whose newest statements were skipped as partial."""
    return [n for s in snaps if (n := skipped_note(s.symbol, income_metrics(s.income)))]


def _period_notes(snaps: list[CompanySnapshot]) -> str:
    """What the metrics table's dates mean, and any partial period skipped."""
    notes = ["Revenue and margins: the latest fiscal year ended by the as-of date that has them; CAGR over the "
             "fiscal years shown; P/E: the quote's price over the diluted EPS of the latest fiscal year ended by its date."]
    return " ".join(notes + _partial(snaps))


def _metrics_rows(snaps: list[CompanySnapshot]) -> list[list[Any]]:
    rows = []
    for s in snaps:
        inc, px, q = income_metrics(s.income), price_metrics(s.prices), s.quote
        rows.append([
            s.symbol, inc.get("revenue"), m.pct(inc.get("revenue_cagr")), m.pct(inc.get("gross_margin")),
            m.pct(inc.get("operating_margin")), m.pct(inc.get("net_margin")), m.rounded(q.price if q else None),
            m.rounded(q.pe if q else None), m.pct(px.get("total_return")), m.pct(px.get("volatility")),
            m.pct(px.get("max_drawdown")), inc.get("years"), q.as_of if q else None,
        ])
    return rows


METRIC_COLUMNS = ["symbol", "revenue", "revenue CAGR %", "gross margin %", "operating margin %", "net margin %", "price", "P/E",
                  "return %", "volatility %", "max drawdown %", "fiscal years", "quote as of"]


class ComparativeParams(BaseModel):
    symbol1: Symbol
    symbol2: Symbol
    time_horizon: str = Field("3 years", description="Investment horizon in the user's words, e.g. '3 years'")


@register
class CompanyComparativeAnalysis(Orchestration[ComparativeParams]):
    name = "company_comparative_analysis"
    description = "Compare two companies side by side: growth, margins, valuation, price return, volatility and drawdown over a time horizon."
    examples = [
        "Compare Apple (AAPL) with Microsoft (MSFT) on growth, margins and valuation.",
        "Which is the better investment over five years, Chevron (CVX) or Exxon Mobil (XOM)?",
        "AMD versus Nvidia: how do they differ in revenue growth and stock volatility?",
        "Contrast the financial profiles of Procter & Gamble (PG) and Colgate-Palmolive (CL).",
        "Evaluate Google (GOOGL) against Meta (META) as investments.",
    ]
    Params = ComparativeParams
    template = "company_comparative_analysis.md"

    async def gather(self, params: ComparativeParams, ctx: RunContext) -> OrchestrationData:
        if out := not_covered([params.symbol1, params.symbol2]):
            return out
        days = lookback_days(params.time_horizon)
        as_of = data_as_of()
        snaps = await ctx.gather(*(company_snapshot(ctx, s, years=5, days=days) for s in (params.symbol1, params.symbol2)))
        tables = {
            "profiles": Table(dated("Profiles", as_of), PROFILE_COLUMNS, [_profile_row(s) for s in snaps]),
            "comparison": Table(dated("Side by side", as_of, _quote_dates(snaps), f", prices over the {days} days before"),
                                METRIC_COLUMNS, _metrics_rows(snaps), note=_period_notes(snaps)),
        }
        return OrchestrationData(tables=tables, facts={"time_horizon": params.time_horizon, "as_of": as_of.isoformat(),
                                                       "partial_periods": _partial(snaps)})

    def find(self, params: ComparativeParams, data: OrchestrationData):
        return F.comparative(data.tables, data.missing, data.facts.get("partial_periods"))


class StrategicParams(BaseModel):
    symbol: Symbol
    time_horizon: Horizon = Field("medium-term", description="Investment horizon")


@register
class StrategicInvestmentAnalysis(Orchestration[StrategicParams]):
    name = "strategic_investment_analysis"
    description = "Strategic investment analysis of one company: profile, statements, one-year price history, industry peers and relative valuation."
    examples = [
        "Would Microsoft (MSFT) be a sound addition to my portfolio for the long run?",
        "Give me an investment thesis for Eli Lilly (LLY): valuation, cash flow and peers.",
        "Should I invest in Apple (AAPL) over the next few years?",
        "Work out an investment strategy for a position in Salesforce (CRM).",
        "What is the investment outlook for Berkshire Hathaway (BRK-B) over the medium term?",
    ]
    Params = StrategicParams
    template = "strategic_investment_analysis.md"

    async def gather(self, params: StrategicParams, ctx: RunContext) -> OrchestrationData:
        if out := not_covered([params.symbol]):
            return out
        as_of = data_as_of()
        snap, balance, cash, peers = await ctx.gather(
            company_snapshot(ctx, params.symbol, years=5, days=365),
            ctx.fetch(get_balance_sheet, symbol=params.symbol, limit=1),
            ctx.fetch(get_cash_flow, symbol=params.symbol, limit=3),
            ctx.fetch(get_peers, symbol=params.symbol, limit=5),
        )
        peers = peers or []
        peer_quotes = await ctx.gather(*(ctx.fetch(get_stock_price, symbol=p.symbol) for p in peers))
        pe = snap.quote.pe if snap.quote else None
        peer_median = m.median([q.pe for q in peer_quotes if q and q.pe and q.pe > 0])
        valuation = Table(dated("Relative valuation", as_of, [q.as_of for q in [snap.quote, *peer_quotes] if q]), ["symbol", "name", "market cap", "P/E"], [
            [params.symbol, snap.name, snap.quote.market_cap if snap.quote else None, m.rounded(pe)],
            *[[p.symbol, p.name, p.market_cap, m.rounded(q.pe if q else None)] for p, q in zip(peers, peer_quotes)],
        ], note=f"P/E vs peer median: {m.pct(m.growth(pe, peer_median))}% (peer median {m.rounded(peer_median)})")
        b = balance[0] if balance else None
        fcf = Table(dated("Cash flow and balance sheet", as_of), ["fiscal year", "operating cash flow", "free cash flow", "cash", "total debt", "equity"], [
            [c.fiscal_date, c.operating_cash_flow, c.free_cash_flow, *((b.cash, b.total_debt, b.equity) if b and i == 0 else (None,) * 3)]
            for i, c in enumerate(cash or [])
        ])
        tables = {
            "profile": Table(dated("Profile", as_of), PROFILE_COLUMNS, [_profile_row(snap)]),
            "metrics": Table(dated("Growth, margins and one-year price history", as_of, _quote_dates([snap])), METRIC_COLUMNS,
                             _metrics_rows([snap]), note=_period_notes([snap])),
            "cash": fcf, "valuation": valuation,
        }
        description = (snap.profile.description if snap.profile else None) or ""
        return OrchestrationData(tables=tables, facts={"time_horizon": params.time_horizon, "description": description[:600],
                                                       "as_of": as_of.isoformat()})

    def find(self, params: StrategicParams, data: OrchestrationData):
        return F.strategic(params.symbol, data.tables, data.missing)


class CompetitiveParams(BaseModel):
    symbol: Symbol


@register
class CompanyCompetitiveAnalysis(Orchestration[CompetitiveParams]):
    name = "company_competitive_analysis"
    description = "Competitive analysis of one company against its industry peers on size, growth, margins and valuation."
    examples = [
        "How does Adobe (ADBE) compete with its industry peers?",
        "Where does Starbucks (SBUX) rank against its competitors on size and margins?",
        "Benchmark Oracle (ORCL) against the other companies in its industry.",
        "What competitive advantages does Amazon (AMZN) have over its peers?",
        "Is Merck (MRK) gaining or losing ground versus its competitors?",
    ]
    Params = CompetitiveParams
    template = "company_competitive_analysis.md"
    peers = 5

    async def gather(self, params: CompetitiveParams, ctx: RunContext) -> OrchestrationData:
        if out := not_covered([params.symbol]):
            return out
        as_of = data_as_of()
        peers = await ctx.fetch(get_peers, symbol=params.symbol, limit=self.peers) or []
        symbols = [params.symbol, *[p.symbol for p in peers]]
        snaps = await ctx.gather(*(company_snapshot(ctx, s, years=3) for s in symbols))
        rows = _metrics_rows(snaps)
        ranked = sorted(rows, key=lambda r: -(r[1] or 0))
        position = Table(dated("Rank among peers with the figure (1 = best)", as_of), ["metric", "rank", "of"], [
            [label, _rank(rows, col, params.symbol, reverse), sum(1 for r in rows if r[col] is not None)]
            for label, col, reverse in (("revenue", 1, True), ("revenue growth", 2, True), ("net margin", 5, True), ("P/E (lower is cheaper)", 7, False))
        ])
        tables = {
            "profiles": Table(dated("Company and peers", as_of), PROFILE_COLUMNS, [_profile_row(s) for s in snaps]),
            "peers": Table(dated("Size, growth, margins and valuation", as_of, _quote_dates(snaps)), METRIC_COLUMNS, ranked,
                           note=_period_notes(snaps)),
            "position": position,
        }
        first = snaps[0].profile
        return OrchestrationData(tables=tables, facts={"industry": first.industry if first else None, "as_of": as_of.isoformat()})

    def find(self, params: CompetitiveParams, data: OrchestrationData):
        return F.competitive(params.symbol, data.tables, data.missing)


def _rank(rows: list[list[Any]], col: int, symbol: str, reverse: bool) -> int | None:
    present = [r for r in rows if r[col] is not None]
    ordered = sorted(present, key=lambda r: r[col], reverse=reverse)
    return next((i + 1 for i, r in enumerate(ordered) if r[0] == symbol), None)
