"""FMPProvider against a real HTTP server on 127.0.0.1 serving FMP's stable API shapes: what each record
is read from, and every market tool end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.fmp_stub import BALANCE, CASH_FLOW, EOD_ADJUSTED, EOD_FULL, INCOME, KEY, PROFILE, QUOTE, SCREENER, SEARCH
from tools import ToolRunner
from tools.market import MARKET_TOOLS, DataUnavailableError, FMPProvider, use_provider

pytestmark = pytest.mark.server

TOOLS_DIR = Path(__file__).resolve().parents[3] / "tools"


@pytest.fixture
async def fmp(fmp_server):
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=2, attempts=3, backoff=0.01, max_backoff=0.05)
    yield provider
    await provider.aclose()


def test_no_legacy_api_path_is_left_in_tools():
    legacy = [f"api/v{n}" for n in (3, 4)]
    hits = [str(p) for p in TOOLS_DIR.rglob("*") if p.suffix in (".py", ".md", ".txt", ".json")
            and any(s in p.read_text(errors="replace") for s in legacy)]
    assert hits == []
    assert FMPProvider(api_key="x").base_url == "https://financialmodelingprep.com/stable"


async def test_quote_reads_the_stable_quote_and_computes_pe_from_the_income_statement(fmp, fmp_server):
    fmp_server.company("AAPL")
    q = await fmp.quote(" aapl ")
    assert (q.symbol, q.price, q.volume, q.avg_50d, q.avg_200d, q.market_cap) == (
        "AAPL", 232.8, 44489128, 240.2278, 219.98755, 3500823120000)
    assert (q.eps, q.eps_fiscal_date, q.pe) == (6.08, date(2024, 9, 28), round(232.8 / 6.08, 2))
    assert q.as_of == date(2025, 2, 4)  # the quote's timestamp, not today
    assert "Financial Modeling Prep" in q.source and "diluted EPS of the fiscal year ended 2024-09-28" in q.source
    assert fmp_server.calls["quote"] == [{"symbol": "AAPL", "apikey": KEY}]
    assert fmp_server.calls["income-statement"] == [{"symbol": "AAPL", "limit": "1", "apikey": KEY}]
    assert fmp.company_names()["AAPL"] == "Apple Inc."
    assert KEY not in repr(fmp)


async def test_quote_keeps_its_price_when_the_plan_lacks_the_income_statement(fmp, fmp_server):
    fmp_server.company("AAPL", income_statement=(402, "Premium Query Parameter: This value set for 'symbol' is "
                                                      "not available under your current subscription", {}, 0.0))
    q = await fmp.quote("AAPL")
    assert (q.price, q.market_cap, q.eps, q.pe) == (232.8, 3500823120000, None, None)
    assert "no EPS or P/E" in q.source and "not_in_plan" in q.source


async def test_quote_with_a_loss_has_no_pe(fmp, fmp_server):
    fmp_server.company("AAPL", income_statement=[{**INCOME[0], "epsDiluted": -1.5}])
    q = await fmp.quote("AAPL")
    assert q.eps == -1.5 and q.pe is None


async def test_profile_reads_market_cap_and_maps_the_sector_to_gics(fmp, fmp_server):
    fmp_server.company("AAPL")
    p = await fmp.profile("AAPL")
    assert (p.name, p.sector, p.industry, p.exchange, p.employees, p.market_cap, p.beta) == (
        "Apple Inc.", "Information Technology", "Consumer Electronics", "NASDAQ", 164000, 3900351299800, 1.109)
    assert (str(p.ipo_date), p.headquarters, p.ceo, p.country) == ("1980-12-12", "Cupertino, CA", "Timothy D. Cook", "US")
    assert p.market_cap_as_of is not None
    assert fmp_server.calls["profile"][0]["symbol"] == "AAPL"


async def test_statements_read_the_stable_field_names(fmp, fmp_server):
    fmp_server.company("AAPL")
    (inc,) = await fmp.income_statements("AAPL", limit=1)
    assert (inc.fiscal_date, inc.revenue, inc.gross_profit, inc.operating_income, inc.ebit, inc.net_income) == (
        date(2024, 9, 28), 391035000000, 180683000000, 123216000000, 123216000000, 93736000000)
    assert (inc.eps_basic, inc.eps_diluted, inc.shares_diluted, inc.pretax_income) == (
        6.11, 6.08, 15408095000, 123485000000)
    (bs,) = await fmp.balance_sheets("AAPL", limit=1)
    assert (bs.total_assets, bs.equity, bs.cash, bs.total_debt, bs.net_debt, bs.current_liabilities) == (
        364980000000, 56950000000, 29943000000, 106629000000, 76686000000, 176392000000)
    (cf,) = await fmp.cash_flows("AAPL", limit=1)
    assert (cf.operating_cash_flow, cf.capex, cf.free_cash_flow, cf.investing_cash_flow, cf.financing_cash_flow) == (
        118254000000, -9447000000, 108807000000, 2935000000, -121983000000)
    assert (cf.dividends_paid, cf.share_repurchases, cf.stock_based_compensation) == (
        -15234000000, -94949000000, 11688000000)
    for endpoint in ("income-statement", "balance-sheet-statement", "cash-flow-statement"):
        assert fmp_server.calls[endpoint][-1] == {"symbol": "AAPL", "limit": "1", "apikey": KEY}


async def test_historical_prices_flat_list_newest_first_becomes_oldest_first_with_adjusted_closes(fmp, fmp_server):
    outside = {**EOD_FULL[0], "date": "2025-01-02", "close": 1.0}  # a bar FMP sent outside the range asked
    fmp_server.company("AAPL", historical_price_eod__full=[*EOD_FULL, outside])
    bars = await fmp.historical_prices("AAPL", start=date(2025, 2, 3), end=date(2025, 2, 4))
    assert [(str(b.date), b.close, b.adj_close, b.volume) for b in bars] == [
        ("2025-02-03", 228.01, 227.76, 73063301), ("2025-02-04", 232.8, 232.55, 44489128)]
    for endpoint in ("historical-price-eod/full", "historical-price-eod/dividend-adjusted"):
        assert fmp_server.calls[endpoint] == [{"symbol": "AAPL", "from": "2025-02-03", "to": "2025-02-04", "apikey": KEY}]


async def test_historical_prices_without_the_dividend_adjusted_endpoint_leave_adj_close_empty(fmp, fmp_server):
    fmp_server.company("AAPL", historical_price_eod__dividend_adjusted=(402, {"Error Message": "Premium"}, {}, 0.0))
    bars = await fmp.historical_prices("AAPL", end=date(2025, 2, 4), last_n_days=7)
    assert [(b.close, b.adj_close) for b in bars] == [(228.01, None), (232.8, None)]
    assert fmp_server.calls["historical-price-eod/full"][0]["from"] == "2025-01-29"


async def test_screener_asks_in_fmp_sector_names_and_ranks_by_market_cap(fmp, fmp_server):
    etf = {**SCREENER[0], "symbol": "QQQ", "marketCap": 9e12, "isEtf": True}
    fmp_server.route("company-screener", [*SCREENER, etf])
    top = await fmp.top_companies(sector="tech", industry="Consumer Electronics", limit=2)
    assert [(c.rank, c.symbol, c.sector, c.market_cap) for c in top] == [
        (1, "AAPL", "Information Technology", 3500823120000), (2, "MSFT", "Information Technology", 3.1e12)]
    sent = fmp_server.calls["company-screener"][0]
    assert (sent["sector"], sent["industry"], sent["isEtf"], sent["isActivelyTrading"]) == (
        "Technology", "Consumer Electronics", "false", "true")


async def test_find_symbol_falls_back_to_the_name_search(fmp, fmp_server):
    fmp_server.route("search-symbol", SEARCH)
    (match,) = await fmp.find_symbol("AAPL")
    assert (match.symbol, match.name, match.exchange) == ("AAPL", "Apple Inc.", "NASDAQ")
    fmp_server.route("search-symbol", [])
    fmp_server.route("search-name", SEARCH)
    assert [m.symbol for m in await fmp.find_symbol("Apple", limit=3)] == ["AAPL"]
    assert fmp_server.calls["search-name"] == [{"query": "Apple", "limit": "3", "apikey": KEY}]


async def test_peers_rank_by_market_cap_and_fill_missing_caps_from_batch_quote(fmp, fmp_server):
    fmp_server.route("stock-peers", [
        {"symbol": "AAPL", "companyName": "Apple Inc.", "price": 232.8, "mktCap": 3.5e12},
        {"symbol": "DELL", "companyName": "Dell", "price": 120.5, "mktCap": 8.4e10},
        {"symbol": "HPQ", "companyName": "HP Inc.", "price": 28.0}], symbol="AAPL")
    fmp_server.route("batch-quote", [{**QUOTE[0], "symbol": "HPQ", "name": "HP Inc.", "marketCap": 2.7e10}])
    peers = await fmp.peers("AAPL", limit=5)
    assert [(p.rank, p.symbol, p.name, p.market_cap) for p in peers] == [
        (1, "DELL", "Dell", 8.4e10), (2, "HPQ", "HP Inc.", 2.7e10)]
    assert fmp_server.calls["batch-quote"] == [{"symbols": "HPQ", "apikey": KEY}]
    fmp_server.route("batch-quote", (402, "Premium Query Parameter", {}, 0.0))  # a plan without batch quotes
    assert [(p.symbol, p.market_cap) for p in await fmp.peers("AAPL")] == [("DELL", 8.4e10), ("HPQ", None)]


async def test_key_from_the_environment(monkeypatch, fmp_server):
    monkeypatch.setenv("FMP_API_KEY", KEY)
    monkeypatch.setenv("FMP_BASE_URL", fmp_server.base)
    fmp_server.company("AAPL")
    provider = FMPProvider()
    assert (await provider.profile("AAPL")).name == "Apple Inc."
    assert fmp_server.calls["profile"][0]["apikey"] == KEY
    await provider.aclose()


TOOL_CALLS = [
    ("get_stock_price", {"symbol": "AAPL"}, lambda v: v["pe"] == round(232.8 / 6.08, 2)),
    ("get_company_profile", {"symbol": "AAPL"}, lambda v: v["market_cap"] == PROFILE[0]["marketCap"]),
    ("get_income_statement", {"symbol": "AAPL", "limit": 1}, lambda v: v[0]["revenue"] == INCOME[0]["revenue"]),
    ("get_balance_sheet", {"symbol": "AAPL", "limit": 1}, lambda v: v[0]["equity"] == BALANCE[0]["totalStockholdersEquity"]),
    ("get_cash_flow", {"symbol": "AAPL", "limit": 1}, lambda v: v[0]["free_cash_flow"] == CASH_FLOW[0]["freeCashFlow"]),
    ("get_historical_prices", {"symbol": "AAPL", "start_date": "2025-02-03", "end_date": "2025-02-04"},
     lambda v: [b["adj_close"] for b in v] == [r["adjClose"] for r in reversed(EOD_ADJUSTED)]),
    ("get_top_companies", {"sector": "Information Technology", "limit": 2}, lambda v: v[0]["symbol"] == "AAPL"),
    ("find_symbol", {"query": "Apple"}, lambda v: v[0]["symbol"] == "AAPL"),
    ("get_peers", {"symbol": "AAPL"}, lambda v: v[0]["symbol"] == "GOOGL"),
]


def test_the_tool_calls_cover_every_market_tool():
    assert {name for name, _, _ in TOOL_CALLS} == {t.name for t in MARKET_TOOLS}


@pytest.mark.parametrize(("name", "arguments", "check"), TOOL_CALLS, ids=[c[0] for c in TOOL_CALLS])
async def test_every_market_tool_over_the_stable_api(fmp, fmp_server, name, arguments, check):
    fmp_server.company("AAPL")
    fmp_server.route("company-screener", SCREENER)
    fmp_server.route("search-symbol", SEARCH)
    with use_provider(fmp):
        result = await ToolRunner(list(MARKET_TOOLS)).call(name, arguments)
    assert result.ok, result.error
    assert check(result.value)
    assert all(path.startswith(("quote", "profile", "income-statement", "balance-sheet-statement",
                                "cash-flow-statement", "historical-price-eod/", "company-screener",
                                "search-", "stock-peers", "batch-quote")) for path in fmp_server.calls)


@pytest.mark.parametrize(("status", "body", "kind", "says"), [
    (402, "Premium Query Parameter: This value set for 'symbol' is not available under your current subscription",
     "not_in_plan", "plan does not include this request"),
    (403, {"Error Message": "Legacy Endpoint : Due to Legacy endpoints being no longer supported - This endpoint "
                            "is only available for legacy users who have valid subscriptions prior August 31, 2025."},
     "not_in_plan", "unset FMP_BASE_URL"),
    (401, {"Error Message": f"Invalid API KEY {KEY}. Feel free to create a Free API Key."}, "bad_key", "FMP_API_KEY"),
])
@pytest.mark.parametrize(("name", "arguments"), [(n, a) for n, a, _ in TOOL_CALLS], ids=[c[0] for c in TOOL_CALLS])
async def test_every_market_tool_refused_is_one_line_that_says_what_to_do(fmp, fmp_server, name, arguments,
                                                                          status, body, kind, says):
    for endpoint in ("quote", "profile", "income-statement", "balance-sheet-statement", "cash-flow-statement",
                     "historical-price-eod/full", "historical-price-eod/dividend-adjusted", "company-screener",
                     "search-symbol", "search-name", "stock-peers", "batch-quote"):
        fmp_server.route(endpoint, (status, body, {}, 0.0))
    with use_provider(fmp):
        result = await ToolRunner(list(MARKET_TOOLS)).call(name, arguments)
    assert not result.ok and result.error_kind == kind
    assert says in result.error and "\n" not in result.error and KEY not in result.to_text()
    assert all(len(calls) == 1 for calls in fmp_server.calls.values())  # a refusal is not retried


async def test_a_past_as_of_date_cuts_statements_and_prices_and_has_no_live_quote(fmp_server):
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, as_of="2025-02-03", timeout=2, attempts=1)
    try:
        fmp_server.company("AAPL")
        assert provider.as_of == date(2025, 2, 3)
        assert [str(s.fiscal_date) for s in await provider.income_statements("AAPL")] == ["2024-09-28"]
        bars = await provider.historical_prices("AAPL", last_n_days=7)
        assert [str(b.date) for b in bars] == ["2025-02-03"]  # the 2025-02-04 bar is after the as-of date
        assert fmp_server.calls["historical-price-eod/full"][-1]["to"] == "2025-02-03"
        with pytest.raises(DataUnavailableError, match="a live quote is today's"):
            await provider.quote("AAPL")
        early = FMPProvider(api_key=KEY, base_url=fmp_server.base, as_of="2024-01-31", timeout=2, attempts=1)
        with pytest.raises(DataUnavailableError, match="ended by 2024-01-31"):
            await early.income_statements("AAPL")
        await early.aclose()
    finally:
        await provider.aclose()
