"""Sector normaliser, the nine tools (schemas, registration, provider choice) and a cheap import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tools.market as market
from tools import ToolArgumentsError, check_strict, registered_tools
from tools.market import (
    SECTORS,
    DataProvider,
    FMPProvider,
    SnapshotProvider,
    UnknownSymbolError,
    current_provider,
    make_provider,
    normalize_sector,
    use_provider,
)

NINE = {
    "get_stock_price", "get_company_profile", "get_income_statement", "get_balance_sheet", "get_cash_flow",
    "get_historical_prices", "get_top_companies", "find_symbol", "get_peers",
}


def test_eleven_gics_sectors():
    assert len(SECTORS) == 11 and "Information Technology" in SECTORS and "Health Care" in SECTORS


@pytest.mark.parametrize(("text", "sector"), [
    ("Financials", "Financials"), ("  information technology ", "Information Technology"),
    ("banking", "Financials"), ("Banks", "Financials"), ("finance", "Financials"),
    ("tech", "Information Technology"), ("Technology", "Information Technology"), ("AI", "Information Technology"),
    ("artificial intelligence", "Information Technology"), ("semiconductors", "Information Technology"),
    ("software", "Information Technology"), ("healthcare", "Health Care"), ("pharma", "Health Care"),
    ("biotech", "Health Care"), ("renewable energy", "Utilities"), ("clean energy", "Utilities"),
    ("oil", "Energy"), ("oil and gas", "Energy"), ("electric vehicles", "Consumer Discretionary"),
    ("EV", "Consumer Discretionary"), ("automotive", "Consumer Discretionary"),
    ("telecom", "Communication Services"), ("media", "Communication Services"), ("REITs", "Real Estate"),
    ("tech sector", "Information Technology"), ("banking stocks", "Financials"),
    # FMP's sector names
    ("Healthcare", "Health Care"), ("Financial Services", "Financials"),
    ("Consumer Cyclical", "Consumer Discretionary"), ("Consumer Defensive", "Consumer Staples"),
    ("Basic Materials", "Materials"), ("Communication Services", "Communication Services"),
])
def test_normalize_sector(text, sector):
    assert normalize_sector(text) == sector


def test_unknown_sector_lists_the_sectors():
    with pytest.raises(ValueError) as info:
        normalize_sector("spaceships")
    assert all(s in str(info.value) for s in SECTORS)


def test_the_nine_tools_are_registered_with_strict_schemas_and_descriptions():
    assert NINE <= set(registered_tools())
    assert {t.name for t in market.MARKET_TOOLS} == NINE
    for t in market.MARKET_TOOLS:
        assert check_strict(t.parameters) == [], t.name
        assert t.description and "\n" not in t.description and len(t.description) < 140, t.name
        assert t.name in market.__all__


def test_sector_argument_is_an_enum_of_the_gics_sectors():
    schema = market.get_top_companies.parameters["properties"]["sector"]
    enum = next(alt["enum"] for alt in schema["anyOf"] if "enum" in alt)
    assert enum == list(SECTORS)


def test_sector_argument_accepts_everyday_words_and_rejects_nonsense():
    assert market.get_top_companies.validate({"sector": "banking"}).sector == "Financials"
    with pytest.raises(ToolArgumentsError, match="Information Technology"):
        market.get_top_companies.validate({"sector": "spaceships"})


async def test_tools_upper_case_symbols_and_call_the_current_provider():
    q = await market.get_stock_price(symbol=" aapl ")
    assert q.symbol == "AAPL" and str(q.as_of) == "2023-10-27"
    rows = await market.get_income_statement(symbol="msft", limit=None)  # null means the default (5)
    # fiscal periods ended by the data's as-of date (2023-10-27): MSFT's 2022-06-30 and 2023-06-30
    assert [str(r.fiscal_date) for r in rows] == ["2023-06-30", "2022-06-30"] and all(r.symbol == "MSFT" for r in rows)
    assert len(await market.get_income_statement(symbol="AAPL", limit=None)) == 3  # fiscal 2021 to 2023
    top = await market.get_top_companies(sector="tech", limit=3)
    assert [c.symbol for c in top] == ["AAPL", "MSFT", "NVDA"]
    dumped = market.get_historical_prices.dump(await market.get_historical_prices(symbol="AAPL", last_n_days=3))
    assert dumped[-1]["date"] == "2023-10-27"


async def test_unknown_symbol_reaches_the_caller_as_a_typed_tool_error():
    with pytest.raises(UnknownSymbolError, match="--data fmp"):
        await market.get_company_profile(symbol="GOOGL")


class _Fake:
    name = "fake"

    async def quote(self, symbol):
        return market.Quote(symbol=symbol, price=1.0, as_of="2024-01-02", source="fake")


async def test_use_provider_switches_and_restores():
    default = current_provider()
    fake = _Fake()
    with use_provider(fake):
        assert current_provider() is fake
        assert (await market.get_stock_price(symbol="xyz")).source == "fake"
    assert current_provider() is default


def test_make_provider():
    assert isinstance(make_provider("snapshot"), SnapshotProvider)
    assert isinstance(make_provider("FMP"), FMPProvider)
    assert isinstance(make_provider("snapshot"), DataProvider) and isinstance(make_provider("fmp"), DataProvider)
    with pytest.raises(ValueError, match="snapshot"):
        make_provider("bloomberg")


def test_import_is_cheap_and_opens_no_database():
    code = (
        "import sqlite3, sys\n"
        "opened = []\n"
        "real = sqlite3.connect\n"
        "sqlite3.connect = lambda *a, **k: opened.append(a) or real(*a, **k)\n"
        "import tools.market as m\n"
        "assert opened == [], opened\n"
        "assert m._current._default is None\n"
        "print('ok')\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_default_provider_comes_from_finagent_data(monkeypatch):
    from tools.market import set_default_provider

    try:
        monkeypatch.setenv("FINAGENT_DATA", "fmp")
        set_default_provider(None)
        assert isinstance(current_provider(), FMPProvider)
        assert current_provider() is current_provider()  # one process-wide instance
        monkeypatch.delenv("FINAGENT_DATA")
        set_default_provider(None)
        assert isinstance(current_provider(), SnapshotProvider)
    finally:
        set_default_provider(None)
