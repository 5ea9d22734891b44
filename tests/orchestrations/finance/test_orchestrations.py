"""Every financial orchestration end to end on the snapshot, with ScriptedLLM writing the narrative."""

from datetime import date

import pytest

from agent import Agent
from agent import ground_query, load_defaults
from agent.events import OrchestrationFinished, ToolCallFinished
from agent.grounding.request import MAX_TABLE_CELLS
from agent.testing import ScriptedLLM, call
from orchestrations import RunContext, registered_orchestrations
from orchestrations.finance import _metrics as m
from tools import ToolRunner, check_strict, registered_tools
from tools.market import SECTORS, PriceBar

load_defaults()

CASES = {
    "sector_analysis": {"sector": "banking", "top_n": 4},
    "company_comparative_analysis": {"symbol1": "JPM", "symbol2": "bac", "time_horizon": "2 years"},
    "financial_health_assessment": {"symbol": "AAPL"},
    "portfolio_recommendation": {"risk_tolerance": "low", "investment_amount": 20000, "sectors": ["healthcare", "Utilities"]},
    "strategic_investment_analysis": {"symbol": "TSLA", "time_horizon": "long-term"},
    "market_trend_prediction": {"sector": "tech", "timeframe": "1 year"},
    "company_competitive_analysis": {"symbol": "KO"},
}


def test_the_seven_are_registered_with_the_agreed_parameters():
    found = {name: set(cls.Params.model_fields) for name, cls in registered_orchestrations().items()}
    assert found == {
        "sector_analysis": {"sector", "top_n"},
        "company_comparative_analysis": {"symbol1", "symbol2", "time_horizon"},
        "financial_health_assessment": {"symbol"},
        "portfolio_recommendation": {"risk_tolerance", "investment_amount", "sectors"},
        "strategic_investment_analysis": {"symbol", "time_horizon"},
        "market_trend_prediction": {"sector", "timeframe"},
        "company_competitive_analysis": {"symbol"},
    }


def test_schemas_carry_enums():
    schemas = {n: c.parameters_schema() for n, c in registered_orchestrations().items()}
    sector = schemas["sector_analysis"]["properties"]["sector"]  # a sector or an industry: a string the grounder bounds
    assert sector["type"] == "string" and "Semiconductors" in sector["description"]
    assert schemas["portfolio_recommendation"]["properties"]["risk_tolerance"]["enum"] == ["low", "medium", "high"]
    assert schemas["portfolio_recommendation"]["properties"]["sectors"]["items"]["enum"][0] == "Communication Services"
    horizon = schemas["strategic_investment_analysis"]["properties"]["time_horizon"]
    assert ["short-term", "medium-term", "long-term"] in [alt.get("enum") for alt in horizon.get("anyOf", [horizon])]
    timeframe = schemas["market_trend_prediction"]["properties"]["timeframe"]
    assert timeframe["type"] == ["string", "null"] and "user's words" in timeframe["description"]  # strict: null = default
    assert all(check_strict(s) == [] for s in schemas.values())


@pytest.mark.parametrize("name", sorted(CASES))
async def test_orchestration_end_to_end(name):
    narrative = f"Analysis written for {name}."
    llm = ScriptedLLM([call(name, CASES[name]), narrative])
    reply = await Agent(llm).achat(f"please run {name}")
    assert reply.ok, reply.error
    assert reply.text == narrative and reply.llm_calls == 2
    finished = next(e for e in reply.events if isinstance(e, OrchestrationFinished))
    assert finished.tables
    if name == "portfolio_recommendation":  # two utilities in the screener have no price history in the snapshot
        assert all("no price data" in x for x in finished.missing)
    else:
        assert not finished.missing
    assert all(t["rows"] for t in finished.tables.values()), "every table has rows"
    prompt = llm.requests[1].messages[-1].content
    assert finished.findings and all(f"- {f['text']}" in prompt for f in finished.findings)  # the findings are the prompt
    assert "| ---" not in prompt
    big = [t for t in finished.tables.values() if len(t["rows"]) * len(t["columns"]) > MAX_TABLE_CELLS]
    assert all(f"**{t['title']}**" not in prompt for t in big)  # raw tables are not
    llm.assert_complete()


def _concurrent(events) -> bool:
    done = [e for e in events if isinstance(e, ToolCallFinished)]
    return any(a.started_at < b.finished_at and b.started_at < a.finished_at for a in done for b in done if a is not b)


async def _gather(name, arguments):
    cls = registered_orchestrations()[name]
    events = []
    ctx = RunContext(ToolRunner(registered_tools(), emit=events.append))
    return await cls().run(cls.validate(arguments), ctx), events


async def test_financial_health_numbers_are_computed_from_real_statements():
    data, events = await _gather("financial_health_assessment", {"symbol": "AAPL"})
    table = data.tables["health"]
    col = table.columns.index("2023-09-30")
    row = {r[0]: r for r in table.rows}
    assert row["net margin %"][col] == round(96_995_000_000 / 383_285_000_000 * 100, 2)
    assert _concurrent(events)


async def test_jpm_health_has_no_current_ratio_but_has_roe():
    data, _ = await _gather("financial_health_assessment", {"symbol": "JPM"})
    row = {r[0]: r[1:] for r in data.tables["health"].rows}
    assert all(v is None for v in row["current ratio"])
    assert all(v is not None for v in row["ROE %"])


async def test_sector_analysis_ranks_by_market_cap_and_compares_with_median():
    data, events = await _gather("sector_analysis", {"sector": "Financials", "top_n": 5})
    rows = data.tables["companies"].rows
    caps = [r[2] for r in rows]
    assert caps == sorted(caps, reverse=True) and len(rows) == 5
    pes = [r[7] for r in rows if r[7] is not None]
    median_pe = data.tables["medians"].rows[0][3]
    assert median_pe == pytest.approx(m.median(pes), abs=0.01)
    assert _concurrent(events)


async def test_portfolio_allocation_sums_to_the_amount_and_respects_risk():
    low, _ = await _gather("portfolio_recommendation", CASES["portfolio_recommendation"])
    high, _ = await _gather("portfolio_recommendation", {**CASES["portfolio_recommendation"], "risk_tolerance": "high", "sectors": ["Information Technology"]})
    for data in (low, high):
        amounts = [r[7] for r in data.tables["allocation"].rows]
        assert round(sum(amounts), 2) == 20000 if data is low else round(sum(amounts), 2) == 20000
    assert all(r[5] <= 1.0 for r in low.tables["allocation"].rows)  # low risk: beta capped at 1.0
    assert {r[0] for r in low.tables["allocation"].rows} == {"Health Care", "Utilities"}


async def test_market_trend_index_starts_at_100():
    data, _ = await _gather("market_trend_prediction", {"sector": "Information Technology", "timeframe": "6 months"})
    monthly = data.tables["monthly"].rows
    assert 6 <= len(monthly) <= 8
    stats = dict(data.tables["index"].rows)
    assert stats["total return %"] == pytest.approx(stats["index level"] - 100, abs=0.01)


async def test_a_company_outside_the_data_gets_one_answer_that_says_how_to_get_live_data():
    data, events = await _gather("company_comparative_analysis", {"symbol1": "MSFT", "symbol2": "GOOGL", "time_horizon": "3 years"})
    assert data.answer and "Alphabet" in data.answer and "(GOOGL)" in data.answer and "--data fmp" in data.answer
    assert "MSFT is covered" in data.answer
    assert data.answer.count("not covered") == 1 and not data.findings and not data.tables and not data.missing
    assert not [e for e in events if type(e).__name__.startswith("Tool")]  # no tool call, so no error repeated


def test_metrics():
    assert m.allocate(100, {"a": 1, "b": 1, "c": 1}) == {"a": 33.34, "b": 33.33, "c": 33.33}
    assert m.max_drawdown([100, 120, 60, 130]) == pytest.approx(-0.5)
    assert m.cagr(121, 100, 2) == pytest.approx(0.1)
    assert m.cagr(100, -5, 2) is None
    d1, d2 = date(2023, 1, 2), date(2023, 1, 3)
    a = [PriceBar(date=d1, close=10), PriceBar(date=d2, close=20)]
    b = [PriceBar(date=d1, close=5, adj_close=4), PriceBar(date=d2, close=5, adj_close=4)]  # adjusted closes win
    assert m.equal_weight_index({"A": a, "B": b}) == [(d1, 100.0), (d2, 150.0)]
    assert m.closes(b) == [4, 4]


@pytest.mark.parametrize("query, expected", [
    ("Compare Microsoft and Apple over the next 5 years", ["MSFT", "AAPL"]),
    ("analysis for JPMorgan Chase (JPM) and Bank of America (BAC)", ["JPM", "BAC"]),
    ("How healthy is Pfizer?", ["PFE"]),
    ("Compare MSFT and GOOGL", ["MSFT", "GOOGL"]),
    ("How is Palantir doing?", ["PLTR"]),
    ("Compare Alphabet and Meta", ["GOOG", "META"]),  # by name: the share class the snapshot covers (GOOG, not GOOGL)
    ("How financially healthy is Johnson & Johnson (JNJ)?", ["JNJ"]),  # not Johnson Controls (JCI), outside the data  # an S&P 500 member outside the snapshot: its name resolves all the same
    ("Compare Palantir Technologies with Microsoft", ["PLTR", "MSFT"]),
    ("Is the price target for Palantir realistic?", ["PLTR"]),  # "target" written in lower case is not Target Corp.
])
def test_grounding_finds_tickers_and_company_names(query, expected):
    grounding = ground_query(query)
    assert grounding["company_comparative_analysis"]["symbol1"] == expected
    assert grounding["financial_health_assessment"]["symbol"] == expected


def test_grounding_without_a_named_company_allows_every_known_ticker():
    allowed = ground_query("What does the P/E ratio measure?")["financial_health_assessment"]["symbol"]
    assert len(allowed) > 100 and "AAPL" in allowed and "P" not in allowed


def test_grounding_names_the_sectors_a_query_mentions_for_sector_arguments():
    grounding = ground_query("Analyze the banking sector trends and compare JPMorgan Chase (JPM) with Bank of America (BAC).")
    assert grounding["market_trend_prediction"] == {"sector": ["Financials"]}
    assert grounding["portfolio_recommendation"] == {"sectors": ["Financials"]}
    assert "sector" not in grounding["financial_health_assessment"]
    # no sector named: the eleven sectors (the argument is a string a sector or an industry fills)
    assert ground_query("How healthy is Pfizer (PFE)?")["sector_analysis"]["sector"] == list(SECTORS)
    assert ground_query("Analyze the semiconductor sector")["sector_analysis"] == {"sector": ["Semiconductors"]}
    assert ground_query("Analyze the semiconductor sector")["portfolio_recommendation"] == {"sectors": ["Information Technology"]}


@pytest.mark.parametrize("query, expected", [
    ("Will technology stocks keep rising next year?", ["Information Technology"]),
    ("the renewable energy sector", ["Utilities"]),  # the longest phrase wins over "energy"
    ("split $10,000 across energy and financials stocks", ["Energy", "Financials"]),
    ("Review the largest health care companies, then a portfolio in health care", ["Health Care"]),
    ("How financially healthy is Johnson & Johnson, and where does it stand?", []),  # "financial", "it": not sectors
    ("Is the balance sheet's financial health a material risk?", []),
    ("Analyze the financial sector and the airline industry", ["Financials", "Industrials"]),  # an ambiguous word before a sector noun
])
def test_find_sectors_in_free_text(query, expected):
    from tools.market import find_sectors

    assert find_sectors(query) == expected


def test_a_ticker_written_beside_a_name_is_the_one_meant_not_another_share_class():
    from orchestrations.grounding import ground_query
    from tools.market import SnapshotProvider

    provider = SnapshotProvider()
    compare = ground_query("Compare Microsoft (MSFT) and Google (GOOGL) over 3 years.", provider)["company_comparative_analysis"]
    assert compare["symbol1"] == ["MSFT", "GOOGL"]  # not GOOG too: a third value would split the comparison
    assert ground_query("How is Alphabet doing?", provider)["company_competitive_analysis"]["symbol"] == ["GOOG"]
