"""FMPProvider when Financial Modeling Prep misbehaves (real HTTP on 127.0.0.1): refusals, rate limits,
5xx, garbage, timeouts and dead servers. Each becomes a typed error that never carries the API key."""

from __future__ import annotations

import logging
import socket
import traceback
from datetime import date

import pytest

from tests.fmp_stub import EOD_FULL, KEY, QUOTE
from tools.market import (
    DataAuthError,
    DataUnavailableError,
    FMPProvider,
    MalformedReplyError,
    PlanLimitError,
    RateLimitedError,
    UnknownSymbolError,
    UpstreamError,
)

pytestmark = pytest.mark.server


@pytest.fixture
async def fmp(fmp_server):
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=2, attempts=3, backoff=0.01, max_backoff=0.05)
    yield provider
    await provider.aclose()


def assert_no_key(exc: BaseException) -> None:
    for rendered in (str(exc), repr(exc), "".join(traceback.format_exception(exc))):
        assert KEY not in rendered


async def test_401_is_a_bad_key_error_not_retried(fmp, fmp_server):
    fmp_server.route("profile", (401, {"Error Message": f"Invalid API KEY. apikey={KEY}"}, {}, 0.0))
    with pytest.raises(DataAuthError) as info:
        await fmp.profile("AAPL")
    assert info.value.kind == "bad_key" and not info.value.transient
    assert "FMP_API_KEY" in str(info.value) and "Invalid API KEY" in str(info.value)
    assert_no_key(info.value)
    assert len(fmp_server.calls["profile"]) == 1


async def test_402_for_a_premium_parameter_names_it_and_says_what_to_do(fmp, fmp_server):
    # FMP's free plan answers `limit` above 5 with HTTP 402 and a plain-text body
    fmp_server.route("income-statement", (402, "Premium Query Parameter: 'limit'", {}, 0.0))
    with pytest.raises(PlanLimitError) as info:
        await fmp.income_statements("AAPL", limit=10)
    message = str(info.value)
    assert info.value.kind == "not_in_plan" and not info.value.transient and isinstance(info.value, DataAuthError)
    assert "HTTP 402: Premium Query Parameter: 'limit'" in message and "fewer years" in message
    assert "--data snapshot" in message and "pricing" in message and "\n" not in message
    assert fmp_server.calls["income-statement"] == [{"symbol": "AAPL", "limit": "10", "apikey": KEY}]
    fmp_server.route("quote", (402, "Premium Query Parameter: This value set for 'symbol' is not available under "
                                    "your current subscription", {}, 0.0), symbol="SAP.DE")
    with pytest.raises(PlanLimitError, match="'symbol' is not available.*pick a symbol your plan covers"):
        await fmp.quote("SAP.DE")


async def test_403_legacy_endpoint_says_to_unset_the_base_url(fmp, fmp_server):
    fmp_server.route("quote", (403, {"Error Message": "Legacy Endpoint : Due to Legacy endpoints being no longer "
                                                      "supported"}, {}, 0.0))
    with pytest.raises(PlanLimitError, match="unset FMP_BASE_URL") as info:
        await fmp.quote("AAPL")
    assert_no_key(info.value)


@pytest.mark.parametrize(("message", "error", "kind"), [
    ("Invalid API KEY. Feel free to create a Free API Key", DataAuthError, "bad_key"),
    ("Limit Reach . Please upgrade your plan or visit our documentation for more details", RateLimitedError,
     "rate_limited"),
    ("Premium Endpoint: not available under your current subscription", PlanLimitError, "not_in_plan"),
    ("Something else went wrong", UpstreamError, "upstream_error"),
])
async def test_an_error_message_with_http_200_is_still_an_error(fmp, fmp_server, message, error, kind):
    fmp_server.route("profile", {"Error Message": message})
    with pytest.raises(error) as info:
        await fmp.profile("AAPL")
    assert info.value.kind == kind and message.split(".")[0] in str(info.value)


async def test_missing_key_says_to_set_it_and_sends_nothing(monkeypatch, fmp_server):
    monkeypatch.delenv("FMP_API_KEY", raising=False)
    provider = FMPProvider(base_url=fmp_server.base)
    with pytest.raises(DataAuthError, match="FMP_API_KEY"):
        await provider.quote("AAPL")
    assert fmp_server.calls == {}
    await provider.aclose()


async def test_429_with_retry_after_then_success(fmp, fmp_server):
    fmp_server.route("profile", (429, {"message": "slow down"}, {"Retry-After": "0"}, 0.0), (200, [{"symbol": "AAPL"}], {}, 0.0))
    assert (await fmp.profile("AAPL")).symbol == "AAPL"
    assert len(fmp_server.calls["profile"]) == 2


async def test_persistent_429_is_rate_limited_after_bounded_retries(fmp, fmp_server):
    fmp_server.route("profile", (429, {"Error Message": f"Limit Reach apikey={KEY}"}, {"Retry-After": "0"}, 0.0))
    with pytest.raises(RateLimitedError) as info:
        await fmp.profile("AAPL")
    assert info.value.transient and info.value.retry_after == 0 and "wait" in str(info.value)
    assert len(fmp_server.calls["profile"]) == 3
    assert_no_key(info.value)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_persistent_5xx_is_an_upstream_error_after_bounded_retries(fmp, fmp_server, status):
    fmp_server.route("quote", (status, {"error": f"boom apikey={KEY}"}, {}, 0.0))
    with pytest.raises(UpstreamError) as info:
        await fmp.quote("AAPL")
    assert info.value.kind == "upstream_error" and info.value.transient and str(status) in str(info.value)
    assert len(fmp_server.calls["quote"]) == 3
    assert_no_key(info.value)


async def test_503_then_success_is_retried(fmp, fmp_server):
    fmp_server.route("profile", (503, "<html>busy</html>", {}, 0.0), (200, [{"symbol": "AAPL"}], {}, 0.0))
    assert (await fmp.profile("AAPL")).symbol == "AAPL"


@pytest.mark.parametrize("body", ["<html>not json", "{{", '{"symbol": "AAPL"', ""])
async def test_invalid_json_is_a_malformed_reply(fmp, fmp_server, body):
    fmp_server.route("profile", (200, body, {}, 0.0))
    with pytest.raises(MalformedReplyError) as info:
        await fmp.profile("AAPL")
    assert info.value.kind == "malformed_reply" and "not valid JSON" in str(info.value)
    assert_no_key(info.value)


@pytest.mark.parametrize(("endpoint", "call", "body"), [
    ("quote", "quote", [{"symbol": "AAPL", "price": "not a number"}]),
    ("quote", "quote", {"symbol": "AAPL", "price": 1.0}),  # an object, not a list
    ("profile", "profile", ["AAPL"]),
    ("income-statement", "income_statements", [{"date": "not a date", "revenue": 1}]),
    ("balance-sheet-statement", "balance_sheets", [{"date": "2024-09-28", "totalAssets": "lots"}]),
    ("cash-flow-statement", "cash_flows", 42),
    ("stock-peers", "peers", {"peersList": ["DELL"]}),  # the legacy shape
])
async def test_wrong_shapes_are_malformed_replies(fmp, fmp_server, endpoint, call, body):
    fmp_server.route(endpoint, body)
    with pytest.raises(MalformedReplyError) as info:
        await getattr(fmp, call)("AAPL")
    assert endpoint.split("-")[0] in str(info.value)


async def test_legacy_wrapped_history_and_dateless_bars_are_malformed(fmp, fmp_server):
    fmp_server.route("historical-price-eod/full", {"symbol": "AAPL", "historical": EOD_FULL})
    with pytest.raises(MalformedReplyError):
        await fmp.historical_prices("AAPL", start=date(2025, 2, 3), end=date(2025, 2, 4))
    fmp_server.route("historical-price-eod/full", [{"close": 1.0}])
    with pytest.raises(MalformedReplyError, match="without a date"):
        await fmp.historical_prices("AAPL", start=date(2025, 2, 3), end=date(2025, 2, 4))


async def test_empty_replies_name_the_ticker(fmp, fmp_server):
    for endpoint in ("quote", "profile", "income-statement", "historical-price-eod/full", "stock-peers"):
        fmp_server.route(endpoint, [])
    with pytest.raises(UnknownSymbolError, match="'NOPE'"):
        await fmp.profile("nope")
    with pytest.raises(UnknownSymbolError, match="find_symbol"):
        await fmp.income_statements("NOPE")
    with pytest.raises(DataUnavailableError, match="no prices for NOPE between 2025-02-03 and 2025-02-04"):
        await fmp.historical_prices("NOPE", start=date(2025, 2, 3), end=date(2025, 2, 4))
    with pytest.raises(DataUnavailableError, match="no peers for 'NOPE'"):
        await fmp.peers("NOPE")
    fmp_server.route("company-screener", [])
    with pytest.raises(DataUnavailableError, match="screener found no companies"):
        await fmp.top_companies(sector="Energy")


async def test_bad_arguments_fail_before_any_request(fmp, fmp_server):
    with pytest.raises(Exception, match="after end date"):
        await fmp.historical_prices("AAPL", start=date(2025, 2, 4), end=date(2025, 2, 3))
    with pytest.raises(Exception, match="query is empty"):
        await fmp.find_symbol("  ")
    with pytest.raises(Exception, match="spaceships"):
        await fmp.top_companies(sector="spaceships")
    assert fmp_server.calls == {}


async def test_slow_reply_is_a_transient_timeout(fmp_server):
    fmp_server.route("quote", (200, QUOTE, {}, 1.5))
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=0.2, attempts=1)
    with pytest.raises(UpstreamError) as info:
        await provider.quote("AAPL")
    assert info.value.transient and "timeout" in str(info.value)
    assert_no_key(info.value)
    await provider.aclose()


async def test_a_dead_server_is_a_transient_connection_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = FMPProvider(api_key=KEY, base_url=f"http://127.0.0.1:{port}/stable", timeout=1, attempts=2, backoff=0.01)
    with pytest.raises(UpstreamError, match="connection failed") as info:
        await provider.profile("AAPL")
    assert info.value.transient and info.value.__cause__ is None and info.value.__context__ is None
    assert_no_key(info.value)
    await provider.aclose()


async def test_http_logs_do_not_carry_the_key(fmp, fmp_server, caplog):
    caplog.set_level(logging.DEBUG)
    fmp_server.company("AAPL")
    await fmp.quote("AAPL")
    assert "quote?symbol=AAPL" in caplog.text  # httpx did log the request ...
    assert KEY not in caplog.text  # ... with the key redacted
