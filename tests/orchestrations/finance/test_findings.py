"""The findings each financial orchestration computes on the offline snapshot (real numbers)."""

import pytest

from agent import load_defaults
from agent.figures import check_figures, data_figures
from orchestrations import RunContext, registered_orchestrations
from orchestrations.finance import _findings as F
from tools import ToolRunner, registered_tools

load_defaults()

CASES = {
    "financial_health_assessment": {"symbol": "JNJ"},
    "company_comparative_analysis": {"symbol1": "MSFT", "symbol2": "AAPL", "time_horizon": "3 years"},
    "sector_analysis": {"sector": "Energy", "top_n": 5},
    "company_competitive_analysis": {"symbol": "KO"},
    "strategic_investment_analysis": {"symbol": "TSLA", "time_horizon": "medium-term"},
    "market_trend_prediction": {"sector": "Health Care", "timeframe": "2 years"},
    "portfolio_recommendation": {"investment_amount": 20000, "risk_tolerance": "low", "sectors": ["Health Care", "Utilities"]},
}


async def run(name, arguments):
    cls = registered_orchestrations()[name]
    params = cls.validate(arguments)
    data = await cls().run(params, RunContext(ToolRunner(registered_tools())))
    return params, data


async def fetch(tool, **arguments):
    result = await ToolRunner(registered_tools()).call(tool, arguments)
    assert result.ok, result.error
    return result.value


@pytest.mark.parametrize("name", sorted(CASES))
async def test_findings_state_figures_that_trace_to_the_tables(name):
    params, data = await run(name, CASES[name])
    assert 3 <= len(data.findings) <= 10
    assert sum(len(f.figures) for f in data.findings) >= 4
    for f in data.findings:
        assert all(fig in f.text for fig in f.figures), f
        assert f.source
    # every figure a finding writes is in the tables or the parameters, or is a count or rank it
    # computed (a whole number) or one of the stated thresholds: nothing made up
    text = " ".join(f.text for f in data.findings)
    check = check_figures(text, data_figures(str(params.model_dump()), [], data.tables))
    thresholds = {f"{t:.2f}" for t in (F.CURRENT_RATIO_FLOOR, F.DEBT_EQUITY_CEILING, F.INTEREST_COVER_FLOOR)}
    assert all(u.isdigit() or u in thresholds for u in check.untraced), check.untraced
    assert data.to_dict()["findings"] == [f.to_dict() for f in data.findings]


async def test_jnj_health_findings_match_its_statements():
    _, data = await run("financial_health_assessment", {"symbol": "JNJ"})
    balance = (await fetch("get_balance_sheet", symbol="JNJ", limit=1))[0]
    ratio = balance["current_assets"] / balance["current_liabilities"]
    current = next(f for f in data.findings if "current ratio" in f.text)
    assert f"{ratio:.2f}" in current.figures
    assert ("above" in current.text) == (round(ratio, 2) >= 1.0)
    cash = (await fetch("get_cash_flow", symbol="JNJ", limit=1))[0]
    fcf = next(f for f in data.findings if "free cash flow" in f.text)
    assert f"{cash['free_cash_flow'] / 1e9:.2f}B" in fcf.figures and str(cash["fiscal_date"]) in fcf.text
    (verdict,) = [f for f in data.findings if f.kind == "verdict"]  # the checks above, summed up
    missed = ["current ratio"] if round(ratio, 2) < 1.0 else []
    assert verdict.figures == [str(4 - len(missed)), "4"] and all(m in verdict.text for m in missed)
    assert ("misses" in verdict.text) == bool(missed)


async def test_comparison_names_the_better_company_on_each_measure():
    _, data = await run("company_comparative_analysis", CASES["company_comparative_analysis"])
    rows = {r[0]: r for r in data.tables["comparison"].rows}
    col = data.tables["comparison"].columns.index("net margin %")
    better = "MSFT" if rows["MSFT"][col] > rows["AAPL"][col] else "AAPL"
    margin = next(f for f in data.findings if f.text.startswith("Net margin"))
    assert f"(better: {better})" in margin.text


async def test_trend_findings_rank_the_members():
    _, data = await run("market_trend_prediction", CASES["market_trend_prediction"])
    col = data.tables["members"].columns.index("return %")
    rows = [r for r in data.tables["members"].rows if r[col] is not None]
    best = max(rows, key=lambda r: r[col])
    ranked = next(f for f in data.findings if f.text.startswith("Best member"))
    assert ranked.text.startswith(f"Best member over the lookback: {best[0]}") and f"{best[col]:.2f}%" in ranked.figures


async def test_missing_data_is_a_finding():
    _, data = await run("sector_analysis", {"sector": "Energy", "top_n": 5})
    if data.missing:
        assert any(f.source == "missing" for f in data.findings)
