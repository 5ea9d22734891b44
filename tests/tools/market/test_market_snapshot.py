"""The offline snapshot: real-data spot checks, quotes, screening, peers, prices, unknown tickers."""

from __future__ import annotations

import importlib.util
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tools.market import (
    DataUnavailableError,
    SnapshotProvider,
    UnknownSymbolError,
)
from tools.market._snapshot import DEFAULT_PATH

REPO = Path(__file__).resolve().parents[3]
SOURCE = REPO.parent / "shared" / "data" / "market"


@pytest.fixture(scope="module")
def snap():
    provider = SnapshotProvider()
    yield provider
    provider.close()


def test_snapshot_ships_inside_the_package_and_is_small():
    assert DEFAULT_PATH.is_file()
    assert DEFAULT_PATH.parent.name == "data" and DEFAULT_PATH.parent.parent.name == "market"
    assert DEFAULT_PATH.stat().st_size < 10_000_000


@pytest.mark.skipif(not SOURCE.is_dir(), reason="shared market data not available")
def test_committed_snapshot_is_reproducible_from_the_sources(tmp_path):
    spec = importlib.util.spec_from_file_location("build_snapshot", REPO / "scripts" / "build_snapshot.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = tmp_path / "snapshot.sqlite"
    build.build(SOURCE, out)
    assert out.read_bytes() == DEFAULT_PATH.read_bytes()


async def test_aapl_fiscal_2023_revenue(snap):
    rows = await snap.income_statements("AAPL", limit=10)
    fy2023 = next(r for r in rows if r.fiscal_date == date(2023, 9, 30))
    assert fy2023.revenue == 383_285_000_000
    assert fy2023.net_income == 96_995_000_000
    assert fy2023.eps_diluted == 6.13
    assert [r.fiscal_date for r in rows] == sorted((r.fiscal_date for r in rows), reverse=True)


async def test_jpm_2023_net_income_and_bank_has_no_gross_profit():
    rows = await SnapshotProvider(as_of="2026-03-31").income_statements("jpm", limit=10)
    fy2023 = next(r for r in rows if r.fiscal_date.year == 2023)
    assert fy2023.net_income == 49_552_000_000
    assert fy2023.gross_profit is None


async def test_aapl_close_on_2023_10_17(snap):
    bars = await snap.historical_prices("AAPL", start=date(2023, 10, 17), end=date(2023, 10, 17))
    assert [(b.date, b.close) for b in bars] == [(date(2023, 10, 17), 177.15)]


async def test_statement_limit_and_balance_sheet_and_cash_flow(snap):
    assert len(await snap.income_statements("MSFT", limit=2)) == 2
    bs = (await snap.balance_sheets("AAPL", limit=1))[0]
    assert bs.total_assets and bs.shares_outstanding and bs.fiscal_date == date(2023, 9, 30)  # the last ended by 2023-10-27
    cf = (await snap.cash_flows("AAPL", limit=1))[0]
    assert cf.free_cash_flow == pytest.approx(cf.operating_cash_flow + cf.capex, rel=1e-6)


async def test_quote_is_as_of_the_last_price_date(snap):
    q = await snap.quote("aapl")
    last = (await snap.historical_prices("AAPL", last_n_days=7))[-1]
    assert q.as_of == last.date == date(2023, 10, 27)
    assert q.price == last.close
    assert q.volume == last.volume
    # EPS from the latest fiscal year ending on or before the price date (fiscal 2023, not 2024/25)
    assert q.eps == 6.13 and q.eps_fiscal_date == date(2023, 9, 30)
    assert q.pe == pytest.approx(q.price / q.eps, abs=0.01)
    bs = await snap.balance_sheets("AAPL", limit=10)
    shares = next(b.shares_outstanding for b in bs if b.fiscal_date == date(2023, 9, 30))
    assert q.market_cap == pytest.approx(q.price * shares, rel=1e-9)
    bars = await snap.historical_prices("AAPL", start=date(2023, 1, 1), end=q.as_of)
    assert q.avg_50d == pytest.approx(sum(b.close for b in bars[-50:]) / 50, abs=1e-3)
    assert q.avg_200d == pytest.approx(sum(b.close for b in bars[-200:]) / 200, abs=1e-3)
    assert "2023-10-27" in q.source


async def test_quote_undoes_later_splits_for_eps_and_market_cap(snap):
    # NVDA split 10:1 in June 2024; the 2026 statements are restated, the 2023 price is not.
    q = await snap.quote("NVDA")
    fy = next(r for r in await snap.income_statements("NVDA", 10) if r.fiscal_date == q.eps_fiscal_date)
    assert q.eps == pytest.approx(fy.eps_diluted * 10)
    assert q.pe == pytest.approx(q.price / q.eps, abs=0.01)
    assert 5e11 < q.market_cap < 2e12  # about 1.0 trillion in October 2023, not 10 trillion


async def test_negative_eps_gives_no_pe(snap):
    q = await snap.quote("BRK.B")  # share-class dot spelling is accepted; 2022 was a loss year
    assert q.symbol == "BRK-B" and q.eps is not None and q.eps < 0 and q.pe is None


@pytest.mark.parametrize("ticker", ["GOOGL", "FSLR"])
async def test_unknown_ticker_says_snapshot_and_fmp(snap, ticker):
    with pytest.raises(UnknownSymbolError) as info:
        await snap.quote(ticker)
    message = str(info.value)
    assert info.value.kind == "unknown_symbol" and not info.value.transient
    assert ticker in message and "offline snapshot" in message
    assert "--data fmp" in message and "FMP_API_KEY" in message
    assert "2023-10-27" in message and str(len(snap.symbols())) in message


async def test_unknown_ticker_suggests_a_close_one(snap):
    with pytest.raises(UnknownSymbolError, match="GOOG"):
        await snap.profile("GOOGL")


async def test_statements_only_company_has_no_quote_but_has_statements(snap):
    assert await snap.income_statements("AIG", 1)
    with pytest.raises(DataUnavailableError, match="no price data for AIG"):
        await snap.quote("AIG")


async def test_price_range_outside_the_snapshot_says_what_is_covered(snap):
    with pytest.raises(DataUnavailableError, match="2023-10-27"):
        await snap.historical_prices("AAPL", start=date(2024, 1, 1), end=date(2024, 2, 1))


async def test_last_n_days_counts_calendar_days_back_from_the_last_date(snap):
    bars = await snap.historical_prices("MSFT", last_n_days=7)
    assert bars[-1].date == date(2023, 10, 27) and bars[0].date >= date(2023, 10, 21)
    assert len(bars) == 5  # one trading week
    default = await snap.historical_prices("MSFT")
    assert default[0].date >= date(2023, 9, 28) and len(default) > 15


async def test_top_companies_ranked_by_market_cap_within_a_sector(snap):
    top = await snap.top_companies(sector="Information Technology", limit=5)
    assert [c.rank for c in top] == [1, 2, 3, 4, 5]
    assert all(c.sector == "Information Technology" for c in top)
    caps = [c.market_cap for c in top]
    assert caps == sorted(caps, reverse=True)
    assert top[0].symbol == "AAPL"
    # nobody left out of the sector is larger than the fifth
    everything = await snap.top_companies(sector="information technology", limit=50)
    assert len(everything) > 5 and all(c.market_cap <= caps[-1] for c in everything[5:])
    # every returned cap agrees with the quote for the same company
    assert top[1].market_cap == pytest.approx((await snap.quote(top[1].symbol)).market_cap, rel=1e-6)


async def test_top_companies_accepts_everyday_sector_words_and_industry(snap):
    banks = await snap.top_companies(sector="banking", industry="banks", limit=3)
    assert [c.symbol for c in banks] == ["JPM", "BAC", "WFC"]
    assert all("Banks" in c.industry for c in banks)


async def test_peers_share_the_industry_and_exclude_the_symbol(snap):
    me = await snap.profile("JPM")
    peers = await snap.peers("JPM", limit=3)
    assert len(peers) == 3 and "JPM" not in {p.symbol for p in peers}
    assert all(p.industry == me.industry for p in peers)
    caps = [p.market_cap for p in peers]
    assert caps == sorted(caps, reverse=True)


async def test_peers_fill_from_the_sector_after_the_industry(snap):
    peers = await snap.peers("NVDA", limit=10)
    industries = [p.industry == "Semiconductors" for p in peers]
    assert industries[0] and industries == sorted(industries, reverse=True)
    assert all(p.sector == "Information Technology" for p in peers)


async def test_find_symbol_by_name(snap):
    assert (await snap.find_symbol("apple"))[0].symbol == "AAPL"
    assert (await snap.find_symbol("Alphabet"))[0].symbol == "GOOG"
    assert (await snap.find_symbol("msft"))[0].symbol == "MSFT"
    assert await snap.find_symbol("no such company zzz") == []


def test_symbols_and_names_for_grounding(snap):
    symbols = snap.symbols()
    assert {"AAPL", "JPM", "BRK-B", "NVDA"} <= symbols and "GOOGL" not in symbols and "GSPC" not in symbols
    names = snap.company_names()
    assert names["AAPL"] == "Apple Inc." and set(names) <= symbols


def test_snapshot_is_opened_read_only(snap, tmp_path):
    snap.symbols()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        snap._connection().execute("DELETE FROM prices")


async def test_missing_snapshot_file_is_a_tool_error(tmp_path):
    from tools import ToolError

    with pytest.raises(ToolError, match="not found"):
        await SnapshotProvider(tmp_path / "nope.sqlite").quote("AAPL")
