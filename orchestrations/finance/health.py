"""`financial_health_assessment`: liquidity, leverage, profitability and cash generation over the years."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from tools.market import BalanceSheet, CashFlow, IncomeStatement, get_balance_sheet, get_cash_flow, get_income_statement, get_stock_price

from .. import Orchestration, OrchestrationData, RunContext, Table, register
from . import _findings as F
from . import _metrics as m
from ._common import Symbol, data_as_of, dated, not_covered

METRICS = ["current ratio", "debt / equity", "ROE %", "free cash flow", "interest coverage", "gross margin %", "operating margin %", "net margin %"]


class HealthParams(BaseModel):
    symbol: Symbol


@register
class FinancialHealthAssessment(Orchestration[HealthParams]):
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
        if out := not_covered([params.symbol]):
            return out
        as_of = data_as_of()
        income, balance, cash, quote = await ctx.gather(
            ctx.fetch(get_income_statement, symbol=params.symbol, limit=5),
            ctx.fetch(get_balance_sheet, symbol=params.symbol, limit=5),
            ctx.fetch(get_cash_flow, symbol=params.symbol, limit=5),
            ctx.fetch(get_stock_price, symbol=params.symbol),
        )
        years = _by_year(income or [], balance or [], cash or [])
        rows = [[name, *[_metric(name, *years[y]) for y in years]] for name in METRICS]
        table = Table(dated(f"{params.symbol} financial health by fiscal year", as_of), ["metric", *years],
                      rows, note=_not_reported_note(params.symbol, rows, years))
        trend_rows = []
        for name, *values in table.rows:
            present = [v for v in values if v is not None]
            if len(present) >= 2:
                trend_rows.append([name, present[0], present[-1], _direction(present[0], present[-1])])
        trends = Table(dated("Trend (oldest to newest year with data)", as_of), ["metric", "first", "last", "direction"], trend_rows)
        facts = {"quote": quote.model_dump(mode="json") if quote else None, "years": list(years), "as_of": as_of.isoformat()}
        return OrchestrationData(tables={"health": table, "trends": trends}, facts=facts)

    def find(self, params: HealthParams, data: OrchestrationData):
        return F.health(params.symbol, data.tables, data.missing)


Year = tuple[IncomeStatement | None, BalanceSheet | None, CashFlow | None]


def _not_reported_note(symbol: str, rows: list[list], years: dict[str, Year]) -> str:
    """Which ratios are n/a in every year, and the statement rows they lack; empty when none is."""
    needs = {"current ratio": ("current assets", "current liabilities"), "gross margin %": ("gross profit",),
             "interest coverage": ("interest expense",), "debt / equity": ("total debt",),
             "operating margin %": ("operating income",)}
    absent = [row[0] for row in rows if all(v is None for v in row[1:])]
    if not absent or not years:
        return ""
    lacking = [f"{name} ({' or '.join(needs[name])})" if name in needs else name for name in absent]
    return f"n/a in every year: {symbol}'s statements in the data do not report {', '.join(lacking)}."


def _by_year(income: list[IncomeStatement], balance: list[BalanceSheet], cash: list[CashFlow]) -> dict[str, Year]:
    """Statements joined on fiscal date, oldest year first."""
    inc = {r.fiscal_date.isoformat(): r for r in income}
    bal = {r.fiscal_date.isoformat(): r for r in balance}
    cf = {r.fiscal_date.isoformat(): r for r in cash}
    return {d: (inc.get(d), bal.get(d), cf.get(d)) for d in sorted(set(inc) | set(bal) | set(cf))}


def _metric(name: str, inc: IncomeStatement | None, bal: BalanceSheet | None, cf: CashFlow | None) -> float | None:
    i = inc or _NO_INCOME
    b = bal or _NO_BALANCE
    interest = i.interest_expense
    values = {
        "current ratio": m.rounded(m.ratio(b.current_assets, b.current_liabilities)),
        "debt / equity": m.rounded(m.ratio(b.total_debt, b.equity)),
        "ROE %": m.pct(m.ratio(i.net_income, b.equity)),
        "free cash flow": cf.free_cash_flow if cf else None,
        "interest coverage": m.rounded(m.ratio(i.operating_income or i.ebit, abs(interest) if interest else None)),
        "gross margin %": m.pct(m.ratio(i.gross_profit, i.revenue)),
        "operating margin %": m.pct(m.ratio(i.operating_income, i.revenue)),
        "net margin %": m.pct(m.ratio(i.net_income, i.revenue)),
    }
    return values[name]


_NO_INCOME = IncomeStatement(symbol="", fiscal_date=date.min, source="")
_NO_BALANCE = BalanceSheet(symbol="", fiscal_date=date.min, equity=None, source="")
"""A year with no such statement: every figure from it is None."""


def _direction(first, last) -> str:
    if first is None or last is None or first == last:
        return "flat"
    return "up" if last > first else "down"
