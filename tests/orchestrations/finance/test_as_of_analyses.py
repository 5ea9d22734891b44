"""Issue 26 on the real snapshot: one as-of date per analysis, the latest period that has each
measure, rankings of members with data, industries as groups, companies outside the data."""

from __future__ import annotations

import pytest

from agent import Agent, load_defaults
from agent.events import ToolCallFinished
from agent.testing import ScriptedLLM, call
from orchestrations import RunContext, registered_orchestrations
from orchestrations.finance._common import income_metrics, skipped_note
from tools import ToolRunner, registered_tools
from tools.market import INDUSTRY_GROUPS, IncomeStatement, sp500, use_data

from .test_findings import CASES

load_defaults()


async def run(name, arguments, as_of=None):
    cls = registered_orchestrations()[name]
    events: list = []
    with use_data(None, as_of):
        data = await cls().run(cls.validate(arguments), RunContext(ToolRunner(registered_tools(), emit=events.append)))
    return data, events


def texts(data) -> list[str]:
    return [f.text for f in data.findings]


@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_table_states_the_analysis_date(name):
    data, _ = await run(name, CASES[name])
    assert data.facts["as_of"] == "2023-10-27"
    assert data.tables and all(" as of 2023-10-27" in t.title for t in data.tables.values()), [t.title for t in data.tables.values()]
    assert not any("Banks report" in t.note for t in data.tables.values())  # notes only where they apply


async def test_bac_revenue_and_margins_are_filled_beside_jpm():
    data, _ = await run("company_comparative_analysis", {"symbol1": "JPM", "symbol2": "BAC", "time_horizon": "2 years"})
    rows = {r[0]: dict(zip(data.tables["comparison"].columns, r)) for r in data.tables["comparison"].rows}
    assert rows["BAC"]["revenue"] == 94_950_000_000 and rows["BAC"]["net margin %"] == round(27_528 / 94_950 * 100, 2)
    assert rows["BAC"]["revenue CAGR %"] is not None and rows["BAC"]["fiscal years"] == "2021-12-31 to 2022-12-31"
    assert rows["JPM"]["fiscal years"] == "2022-12-31 to 2022-12-31"  # fiscal 2023 ended after 2023-10-27
    assert any("only one fiscal year with revenue, 2022-12-31" in t for t in texts(data))
    assert any(t.startswith("Net margin (fiscal year ended 2022-12-31): JPM") for t in texts(data))


async def test_a_partial_year_is_skipped_and_the_finding_says_so():
    data, _ = await run("company_comparative_analysis", {"symbol1": "JPM", "symbol2": "BAC", "time_horizon": "2 years"},
                        as_of="2026-03-31")
    rows = {r[0]: dict(zip(data.tables["comparison"].columns, r)) for r in data.tables["comparison"].rows}
    assert rows["BAC"]["revenue"] == 101_887_000_000  # fiscal 2024: the 2025 statement holds only EPS
    assert rows["BAC"]["net margin %"] is not None and rows["BAC"]["revenue CAGR %"] is not None
    partial = [t for t in texts(data) if "partial record" in t]
    assert partial == ["BAC: the statement for the period ended 2025-12-31 has no revenue or net income in the data "
                       "(a partial record); its figures are from the year ended 2024-12-31."]
    assert "(last prices: 2023-10-27)" in data.tables["comparison"].title  # prices end before the as-of date: said


async def test_aapl_cagr_is_computed_over_the_years_it_has():
    data, _ = await run("strategic_investment_analysis", {"symbol": "AAPL"}, as_of="2026-03-31")
    row = dict(zip(data.tables["metrics"].columns, data.tables["metrics"].rows[0]))
    assert row["fiscal years"] == "2022-09-30 to 2025-09-30"  # the empty fiscal-2021 row is not a year of data
    assert row["revenue CAGR %"] == round(((416_161 / 394_328) ** (1 / 3) - 1) * 100, 2)


def test_income_metrics_take_each_measure_from_the_latest_period_that_has_it():
    def statement(day, **figures):
        return IncomeStatement(symbol="X", fiscal_date=day, source="test", **figures)

    rows = [statement("2025-12-31", eps_diluted=1.0),
            statement("2024-12-31", revenue=200.0, net_income=20.0),
            statement("2023-12-31", revenue=150.0, net_income=30.0, gross_profit=60.0),
            statement("2022-12-31", revenue=100.0, net_income=10.0)]
    got = income_metrics(rows)
    assert (got["fiscal_date"], got["revenue"], got["net_margin"]) == ("2024-12-31", 200.0, 0.1)
    assert got["skipped"] == ["2025-12-31"] and got["years"] == "2022-12-31 to 2024-12-31"
    assert got["revenue_cagr"] == pytest.approx(2 ** 0.5 - 1)
    # the latest period with gross profit is older: its margin is used, and the note says from when
    assert got["gross_margin"] == 0.4 and got["periods"] == {"gross_margin": "2023-12-31"}
    assert skipped_note("X", got) == ("X: the statement for the period ended 2025-12-31 has no revenue or net income in the "
                                      "data (a partial record); its figures are from the year ended 2024-12-31; gross margin "
                                      "from the year ended 2023-12-31.")
    assert income_metrics([rows[0]]) == {"skipped": ["2025-12-31"]}


@pytest.mark.parametrize("name", ["sector_analysis", "market_trend_prediction"])
async def test_the_semiconductor_sector_analyses_semiconductor_companies(name):
    arguments = {"sector": "semiconductor"} if name == "sector_analysis" else {"sector": "chips", "timeframe": "1 year"}
    data, _ = await run(name, arguments)
    table = data.tables["companies" if name == "sector_analysis" else "members"]
    symbols = [r[0] for r in table.rows]
    assert len(symbols) == 5 and symbols[0] == "NVDA"
    assert all(sp500()[s].sub_industry in INDUSTRY_GROUPS["Semiconductors"] for s in symbols), symbols
    assert any("The S&P 500 has 20 Semiconductors members" in t for t in texts(data))


async def test_rankings_hold_only_members_with_the_data_and_state_the_gap():
    for name, arguments in (("sector_analysis", {"sector": "Energy", "top_n": 5}),
                            ("market_trend_prediction", {"sector": "Energy", "timeframe": "2 years"})):
        data, _ = await run(name, arguments)
        table = data.tables["companies" if name == "sector_analysis" else "members"]
        assert [r[0] for r in table.rows] == ["XOM", "CVX", "COP"], name  # SLB and PBF have no prices in the snapshot
        assert any(t.startswith("Left out for missing data: SLB (no price") for t in texts(data)), texts(data)
        assert not data.missing and not any("Some data is missing" in t for t in texts(data))  # the gap is said once


async def test_trend_findings_say_what_the_trend_is_next_to_the_return():
    data, _ = await run("market_trend_prediction", {"sector": "Financials", "timeframe": "2 years"})
    found = texts(data)
    assert any("returned" in t and "(first to last day)" in t and "trend" not in t for t in found)
    assert any(t.startswith("A log-linear fit through every daily level from ") for t in found)


async def test_a_company_outside_the_data_is_said_once_without_tool_calls():
    data, events = await run("strategic_investment_analysis", {"symbol": "PLTR"})
    assert data.answer == ("Palantir Technologies (PLTR), an S&P 500 company (Information Technology: Application Software), "
                           "is not covered by the offline snapshot, which holds 123 large US companies with prices to "
                           "2023-10-27. Live data would cover it: run with `--data fmp` and FMP_API_KEY set.")
    assert not events and not data.findings and not data.missing


async def test_the_agent_answers_palantir_once_with_no_invented_figures():
    llm = ScriptedLLM([call("strategic_investment_analysis", {"symbol": "PLTR"})])
    reply = await Agent(llm).achat("How is Palantir doing?")
    assert reply.ok and reply.llm_calls == 1  # the answer is the analysis's own: no synthesis call
    assert reply.text.count("not covered") == 1 and "Palantir Technologies (PLTR)" in reply.text and "--data fmp" in reply.text
    assert not [e for e in reply.events if isinstance(e, ToolCallFinished)]
    assert not (reply.figures or {}).get("untraced")


def test_health_notes_name_what_the_statements_lack():
    import asyncio

    jpm, _ = asyncio.run(run("financial_health_assessment", {"symbol": "JPM"}))
    assert "current ratio (current assets or current liabilities)" in jpm.tables["health"].note
    jnj, _ = asyncio.run(run("financial_health_assessment", {"symbol": "JNJ"}))
    assert jnj.tables["health"].note == ""


async def test_a_share_class_outside_the_data_names_the_one_inside():
    data, _ = await run("financial_health_assessment", {"symbol": "GOOGL"})
    assert data.answer.startswith("Alphabet Inc. (Class A) (GOOGL), an S&P 500 company") and "Its other share class GOOG is." in data.answer
