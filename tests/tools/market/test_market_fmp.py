"""FMPProvider against a real HTTP server on 127.0.0.1 replaying FMP-shaped JSON."""

from __future__ import annotations

import logging
import traceback
from datetime import date

import pytest

from tools.market import (
    DataAuthError,
    FMPProvider,
    MalformedReplyError,
    RateLimitedError,
    UnknownSymbolError,
    UpstreamError,
)

pytestmark = pytest.mark.server

KEY = "PLANTED-k3y-9f8e7d6c"


@pytest.fixture
async def fmp(fmp_server):
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=2, attempts=3, backoff=0.01, max_backoff=0.05)
    yield provider
    await provider.aclose()


def assert_no_key(exc: BaseException) -> None:
    text = "".join(traceback.format_exception(exc))
    for rendered in (str(exc), repr(exc), text):
        assert KEY not in rendered


QUOTE = [{"symbol": "AAPL", "name": "Apple Inc.", "price": 189.5, "volume": 51234567, "priceAvg50": 185.25,
          "priceAvg200": 180.75, "eps": 6.42, "pe": 29.52, "marketCap": 2950000000000, "timestamp": 1704220800}]
PROFILE = [{"symbol": "AAPL", "companyName": "Apple Inc.", "sector": "Technology", "industry": "Consumer Electronics",
            "website": "https://www.apple.com", "beta": 1.29, "mktCap": 2950000000000, "description": "iPhones.",
            "ceo": "Mr. Timothy D. Cook", "country": "US", "fullTimeEmployees": "161000", "ipoDate": "1980-12-12",
            "exchangeShortName": "NASDAQ", "city": "Cupertino", "state": "CA"}]
INCOME = [{"date": "2023-09-30", "symbol": "AAPL", "revenue": 383285000000, "grossProfit": 169148000000,
           "operatingIncome": 114301000000, "netIncome": 96995000000, "ebitda": 125820000000, "eps": 6.16,
           "epsdiluted": 6.13, "interestExpense": 3933000000, "weightedAverageShsOutDil": 15812547000}]


async def test_quote_maps_fmp_fields_and_sends_the_key(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", QUOTE)
    q = await fmp.quote("aapl")
    assert (q.symbol, q.price, q.volume, q.avg_50d, q.avg_200d, q.eps, q.pe, q.market_cap) == (
        "AAPL", 189.5, 51234567, 185.25, 180.75, 6.42, 29.52, 2950000000000)
    assert q.as_of == date(2024, 1, 2) and "Financial Modeling Prep" in q.source
    assert fmp_server.calls["/api/v3/quote/AAPL"] == [{"apikey": [KEY]}]
    assert fmp.company_names()["AAPL"] == "Apple Inc."
    assert KEY not in repr(fmp)


async def test_profile_maps_the_sector_to_gics(fmp, fmp_server):
    fmp_server.route("v3/profile/AAPL", PROFILE)
    p = await fmp.profile("AAPL")
    assert (p.name, p.sector, p.industry, p.employees, p.market_cap) == (
        "Apple Inc.", "Information Technology", "Consumer Electronics", 161000, 2950000000000)
    assert str(p.ipo_date) == "1980-12-12" and p.headquarters == "Cupertino, CA"


async def test_income_statement_mapping_and_limit(fmp, fmp_server):
    fmp_server.route("v3/income-statement/AAPL", INCOME)
    (row,) = await fmp.income_statements("AAPL", limit=1)
    assert (row.fiscal_date, row.revenue, row.net_income, row.eps_basic, row.eps_diluted) == (
        date(2023, 9, 30), 383285000000, 96995000000, 6.16, 6.13)
    assert fmp_server.calls["/api/v3/income-statement/AAPL"][0]["limit"] == ["1"]


async def test_historical_prices_are_oldest_first_with_the_range_sent(fmp, fmp_server):
    fmp_server.route("v3/historical-price-full/AAPL", {"symbol": "AAPL", "historical": [
        {"date": "2023-10-18", "open": 175.6, "high": 177.6, "low": 175.1, "close": 175.8, "adjClose": 175.4, "volume": 54764400},
        {"date": "2023-10-17", "open": 176.6, "high": 178.4, "low": 174.8, "close": 177.15, "adjClose": 176.9, "volume": 57549400},
    ]})
    bars = await fmp.historical_prices("AAPL", start=date(2023, 10, 17), end=date(2023, 10, 18))
    assert [(b.date.day, b.close, b.adj_close) for b in bars] == [(17, 177.15, 176.9), (18, 175.8, 175.4)]
    sent = fmp_server.calls["/api/v3/historical-price-full/AAPL"][0]
    assert sent["from"] == ["2023-10-17"] and sent["to"] == ["2023-10-18"]


async def test_screener_uses_fmp_sector_names_and_ranks_by_market_cap(fmp, fmp_server):
    fmp_server.route("v3/stock-screener", [
        {"symbol": "MSFT", "companyName": "Microsoft", "marketCap": 2.8e12, "sector": "Technology", "industry": "Software"},
        {"symbol": "AAPL", "companyName": "Apple", "marketCap": 2.9e12, "sector": "Technology", "industry": "Consumer Electronics"},
    ])
    top = await fmp.top_companies(sector="tech", limit=2)
    assert [(c.rank, c.symbol, c.sector) for c in top] == [
        (1, "AAPL", "Information Technology"), (2, "MSFT", "Information Technology")]
    assert fmp_server.calls["/api/v3/stock-screener"][0]["sector"] == ["Technology"]


async def test_peers_use_the_v4_endpoint_and_rank_by_market_cap(fmp, fmp_server):
    fmp_server.route("v4/stock_peers", [{"symbol": "AAPL", "peersList": ["DELL", "HPQ"]}])
    fmp_server.route("v3/quote/DELL,HPQ", [{"symbol": "DELL", "name": "Dell", "marketCap": 5e10},
                                            {"symbol": "HPQ", "name": "HP", "marketCap": 2.7e10}])
    peers = await fmp.peers("AAPL", limit=5)
    assert [p.symbol for p in peers] == ["DELL", "HPQ"]
    assert fmp_server.calls["/api/v4/stock_peers"][0]["symbol"] == ["AAPL"]


async def test_401_is_a_bad_key_error_without_the_key(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (401, {"Error Message": "Invalid API KEY. Please retry."}, {}, 0.0))
    with pytest.raises(DataAuthError) as info:
        await fmp.quote("AAPL")
    assert info.value.kind == "bad_key" and not info.value.transient
    assert "FMP_API_KEY" in str(info.value)
    assert_no_key(info.value)
    assert len(fmp_server.calls["/api/v3/quote/AAPL"]) == 1  # not retried


async def test_missing_key_says_to_set_it(monkeypatch, fmp_server):
    monkeypatch.delenv("FMP_API_KEY", raising=False)
    provider = FMPProvider(base_url=fmp_server.base)
    with pytest.raises(DataAuthError, match="FMP_API_KEY"):
        await provider.quote("AAPL")
    assert fmp_server.calls == {}
    await provider.aclose()


async def test_key_from_the_environment(monkeypatch, fmp_server):
    monkeypatch.setenv("FMP_API_KEY", KEY)
    fmp_server.route("v3/quote/AAPL", QUOTE)
    provider = FMPProvider(base_url=fmp_server.base)
    assert (await provider.quote("AAPL")).price == 189.5
    assert fmp_server.calls["/api/v3/quote/AAPL"][0]["apikey"] == [KEY]
    await provider.aclose()


async def test_empty_list_is_unknown_symbol(fmp, fmp_server):
    fmp_server.route("v3/profile/NOPE", [])
    with pytest.raises(UnknownSymbolError) as info:
        await fmp.profile("NOPE")
    assert "NOPE" in str(info.value)
    assert_no_key(info.value)


async def test_429_with_retry_after_then_success(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (429, {"message": "slow down"}, {"Retry-After": "0"}, 0.0), (200, QUOTE, {}, 0.0))
    q = await fmp.quote("AAPL")
    assert q.price == 189.5
    assert len(fmp_server.calls["/api/v3/quote/AAPL"]) == 2


async def test_persistent_429_is_rate_limited(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (429, {"message": "slow down"}, {"Retry-After": "0"}, 0.0))
    with pytest.raises(RateLimitedError) as info:
        await fmp.quote("AAPL")
    assert info.value.kind == "rate_limited" and info.value.transient and info.value.retry_after == 0
    assert len(fmp_server.calls["/api/v3/quote/AAPL"]) == 3
    assert_no_key(info.value)


async def test_persistent_500_is_an_upstream_error_after_bounded_retries(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (500, {"error": f"boom apikey={KEY}"}, {}, 0.0))
    with pytest.raises(UpstreamError) as info:
        await fmp.quote("AAPL")
    assert info.value.kind == "upstream_error" and info.value.transient
    assert "500" in str(info.value)
    assert len(fmp_server.calls["/api/v3/quote/AAPL"]) == 3
    assert_no_key(info.value)


async def test_500_then_success_is_retried(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (503, {}, {}, 0.0), (200, QUOTE, {}, 0.0))
    assert (await fmp.quote("AAPL")).symbol == "AAPL"


async def test_invalid_json_is_a_malformed_reply(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", (200, "<html>not json", {}, 0.0))
    with pytest.raises(MalformedReplyError) as info:
        await fmp.quote("AAPL")
    assert info.value.kind == "malformed_reply"
    assert_no_key(info.value)


async def test_wrong_shape_is_a_malformed_reply(fmp, fmp_server):
    fmp_server.route("v3/quote/AAPL", [{"symbol": "AAPL", "price": "not a number"}])
    with pytest.raises(MalformedReplyError):
        await fmp.quote("AAPL")


async def test_slow_reply_is_a_transient_timeout(fmp_server):
    fmp_server.route("v3/quote/AAPL", (200, QUOTE, {}, 1.5))
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=0.2, attempts=1)
    with pytest.raises(UpstreamError) as info:
        await provider.quote("AAPL")
    assert info.value.transient and "timeout" in str(info.value)
    assert_no_key(info.value)
    await provider.aclose()


async def test_http_logs_do_not_carry_the_key(fmp, fmp_server, caplog):
    caplog.set_level(logging.DEBUG)
    fmp_server.route("v3/quote/AAPL", QUOTE)
    await fmp.quote("AAPL")
    assert "quote/AAPL" in caplog.text  # httpx did log the request ...
    assert KEY not in caplog.text  # ... with the key redacted
