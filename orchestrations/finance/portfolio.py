"""`portfolio_recommendation`: candidates per sector and an allocation computed in Python."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.market import (
    CompanyProfile,
    PriceBar,
    Quote,
    SectorName,
    get_company_profile,
    get_historical_prices,
    get_stock_price,
    get_top_companies,
)

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _findings as F
from . import _metrics as m
from ._common import data_as_of, dated

RISK_RULES: dict[str, dict[str, Any]] = {
    # names per sector, the most beta allowed (None: no cap), how weights follow volatility
    "low": {"per_sector": 3, "max_beta": 1.0, "weighting": "inverse variance"},
    "medium": {"per_sector": 3, "max_beta": 1.4, "weighting": "inverse volatility"},
    "high": {"per_sector": 3, "max_beta": None, "weighting": "proportional to beta"},
}


class PortfolioParams(BaseModel):
    risk_tolerance: Literal["low", "medium", "high"]
    investment_amount: float = Field(gt=0, description="Amount to invest in US dollars")
    sectors: list[SectorName] = Field(min_length=1, max_length=6, description="Sectors to invest in")


@register
class PortfolioRecommendation(Orchestration[PortfolioParams]):
    name = "portfolio_recommendation"
    description = "Recommend a stock portfolio for a risk tolerance, an amount and sectors: top names per sector with price, P/E, beta, volatility and a computed allocation."
    examples = [
        "I want to invest $5,000 in technology and health care with medium risk. What should I buy?",
        "Allocate $100,000 across industrials and energy for an aggressive, high-risk investor.",
        "Create a conservative stock portfolio for $30,000 in utilities and consumer staples.",
        "How should I divide savings of $15,000 between financials and real estate at low risk?",
    ]
    Params = PortfolioParams
    template = "portfolio_recommendation.md"

    async def gather(self, params: PortfolioParams, ctx: RunContext) -> OrchestrationData:
        rule = RISK_RULES[params.risk_tolerance]
        sectors = list(dict.fromkeys(params.sectors))
        tops = await ctx.gather(*(ctx.fetch(get_top_companies, sector=s, limit=rule["per_sector"] + 2) for s in sectors))
        names = [(s, c) for s, top in zip(sectors, tops) for c in (top or [])]
        details = await ctx.gather(*(self._details(ctx, c.symbol) for _, c in names))
        candidates: list[dict[str, Any]] = []
        for (sector, company), (quote, profile, bars) in zip(names, details):
            prices = m.closes(bars or [])
            candidates.append({
                "sector": sector, "symbol": company.symbol, "name": company.name,
                "price": quote.price if quote else None, "pe": quote.pe if quote else None,
                "beta": profile.beta if profile else None, "volatility": m.volatility(prices),
                "as_of": quote.as_of.isoformat() if quote else None,
            })
        chosen = _choose(candidates, rule)
        amounts = m.allocate(params.investment_amount, _weights(chosen, rule["weighting"]))
        total = sum(amounts.values())
        rows = [[c["sector"], c["symbol"], c["name"], m.rounded(c["price"]), m.rounded(c["pe"]), m.rounded(c["beta"]),
                 m.pct(c["volatility"]), amounts.get(c["symbol"]), m.pct(amounts.get(c["symbol"], 0) / total) if total else None,
                 c["as_of"]] for c in chosen]
        portfolio_beta = sum((c["beta"] or 1.0) * amounts.get(c["symbol"], 0) for c in chosen) / total if total else None
        as_of = data_as_of()
        allocation = Table(dated(f"Allocation of ${params.investment_amount:,.2f} ({params.risk_tolerance} risk)", as_of,
                                 [c["as_of"] for c in chosen]),
                           ["sector", "symbol", "name", "price", "P/E", "beta", "volatility %", "amount $", "weight %", "price as of"], rows,
                           note=f"Weights: {rule['weighting']}; max beta {rule['max_beta']}; weighted beta {m.rounded(portfolio_beta)}; total ${total:,.2f}")
        considered = Table(dated("Candidates considered", as_of), ["sector", "symbol", "beta", "volatility %", "chosen"], [
            [c["sector"], c["symbol"], m.rounded(c["beta"]), m.pct(c["volatility"]), c in chosen] for c in candidates
        ])
        return OrchestrationData(tables={"allocation": allocation, "candidates": considered},
                                 facts={"rule": rule, "total": total, "portfolio_beta": portfolio_beta, "as_of": as_of.isoformat()})

    def find(self, params: PortfolioParams, data: OrchestrationData):
        return F.portfolio(params.investment_amount, params.risk_tolerance, data.tables, data.facts, data.missing)

    @staticmethod
    async def _details(ctx: RunContext, symbol: str) -> tuple[Quote | None, CompanyProfile | None, list[PriceBar] | None]:
        return await asyncio.gather(
            ctx.fetch(get_stock_price, symbol=symbol),
            ctx.fetch(get_company_profile, symbol=symbol),
            ctx.fetch(get_historical_prices, symbol=symbol, last_n_days=365),
        )


def _choose(candidates: list[dict], rule: dict) -> list[dict]:
    """Per sector, the largest names within the beta cap (the lowest-beta ones if none fit)."""
    chosen = []
    for sector in dict.fromkeys(c["sector"] for c in candidates):
        pool = [c for c in candidates if c["sector"] == sector and c["volatility"]]
        fitting = [c for c in pool if rule["max_beta"] is None or (c["beta"] or 1.0) <= rule["max_beta"]]
        if not fitting:
            fitting = sorted(pool, key=lambda c: c["beta"] or 1.0)
        chosen += fitting[: rule["per_sector"]]
    return chosen


def _weights(chosen: list[dict], weighting: str) -> dict[str, float]:
    if weighting == "inverse variance":
        return {c["symbol"]: 1 / c["volatility"] ** 2 for c in chosen}
    if weighting == "inverse volatility":
        return {c["symbol"]: 1 / c["volatility"] for c in chosen}
    return {c["symbol"]: max(c["beta"] or 1.0, 0.1) for c in chosen}
