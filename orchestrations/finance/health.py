"""`financial_health_assessment`: liquidity, leverage, profitability and cash generation over the years."""

from __future__ import annotations

from pydantic import BaseModel

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _metrics as m
from ._common import Symbol

METRICS = ["current ratio", "debt / equity", "ROE %", "free cash flow", "interest coverage", "gross margin %", "operating margin %", "net margin %"]


class HealthParams(BaseModel):
    symbol: Symbol


@register
class FinancialHealthAssessment(Orchestration):
    name = "financial_health_assessment"
    description = "Assess a company's financial health: current ratio, debt/equity, ROE, free cash flow, interest coverage, margins, and their trends."
    examples = [
        "Is General Electric (GE) carrying too much debt?",
        "Check the solvency of AT&T (T): current ratio and debt to equity.",
        "Look at Disney's (DIS) leverage, interest coverage and return on equity.",
        "Does Intel (INTC) generate enough free cash flow to cover its obligations?",
        "Give me a financial stability check of Verizon (VZ).",
    ]
    Params = HealthParams
    template = "financial_health_assessment.md"

    async def gather(self, params: HealthParams, ctx: RunContext) -> OrchestrationData:
        income, balance, cash, quote = await ctx.gather(
            ctx.fetch("get_income_statement", symbol=params.symbol, limit=5),
            ctx.fetch("get_balance_sheet", symbol=params.symbol, limit=5),
            ctx.fetch("get_cash_flow", symbol=params.symbol, limit=5),
            ctx.fetch("get_stock_price", symbol=params.symbol),
        )
        years = _by_year(income or [], balance or [], cash or [])
        table = Table(f"{params.symbol} financial health by fiscal year", ["metric", *years], [
            [name, *[_metric(name, *years[y]) for y in years]] for name in METRICS
        ], note="Banks report no gross profit or current assets: those ratios are n/a for them.")
        trend_rows = []
        for name, *values in table.rows:
            present = [v for v in values if v is not None]
            if len(present) >= 2:
                trend_rows.append([name, present[0], present[-1], _direction(present[0], present[-1])])
        trends = Table("Trend (oldest to newest year with data)", ["metric", "first", "last", "direction"], trend_rows)
        facts = {"quote": quote, "years": list(years)}
        return OrchestrationData(tables={"health": table, "trends": trends}, facts=facts)


def _by_year(income: list[dict], balance: list[dict], cash: list[dict]) -> dict[str, tuple[dict, dict, dict]]:
    """Statements joined on fiscal date, oldest year first."""
    keyed = [{str(r["fiscal_date"]): r for r in rows} for rows in (income, balance, cash)]
    dates = sorted(set(keyed[0]) | set(keyed[1]) | set(keyed[2]))
    return {d: (keyed[0].get(d, {}), keyed[1].get(d, {}), keyed[2].get(d, {})) for d in dates}


def _metric(name: str, inc: dict, bal: dict, cf: dict):
    revenue = inc.get("revenue")
    interest = inc.get("interest_expense")
    values = {
        "current ratio": m.rounded(m.ratio(bal.get("current_assets"), bal.get("current_liabilities"))),
        "debt / equity": m.rounded(m.ratio(bal.get("total_debt"), bal.get("equity"))),
        "ROE %": m.pct(m.ratio(inc.get("net_income"), bal.get("equity"))),
        "free cash flow": cf.get("free_cash_flow"),
        "interest coverage": m.rounded(m.ratio(inc.get("operating_income") or inc.get("ebit"), abs(interest) if interest else None)),
        "gross margin %": m.pct(m.ratio(inc.get("gross_profit"), revenue)),
        "operating margin %": m.pct(m.ratio(inc.get("operating_income"), revenue)),
        "net margin %": m.pct(m.ratio(inc.get("net_income"), revenue)),
    }
    return values[name]


def _direction(first, last) -> str:
    if first is None or last is None or first == last:
        return "flat"
    return "up" if last > first else "down"
