"""One as-of date for the data: the snapshot read as of a date (statements of fiscal periods ended
by then, prices and quotes up to it), the date a provider reports, and how callers choose it."""

from __future__ import annotations

from datetime import date

import pytest

from tools import ToolError
from tools.market import SnapshotProvider, current_provider, data_as_of, get_income_statement, make_provider, use_data


@pytest.fixture(scope="module")
def mid2022():
    provider = SnapshotProvider(as_of="2022-06-30")
    yield provider
    provider.close()


def test_the_default_is_the_last_price_date_and_a_bad_date_is_a_clear_error():
    assert SnapshotProvider().as_of == date(2023, 10, 27)
    assert data_as_of(SnapshotProvider()) == date(2023, 10, 27)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        SnapshotProvider(as_of="30/06/2022")


async def test_statements_are_those_of_fiscal_periods_ended_by_the_as_of_date(mid2022):
    aapl = await mid2022.income_statements("AAPL")
    assert [str(s.fiscal_date) for s in aapl] == ["2021-09-30"]
    jpm_default = await SnapshotProvider().income_statements("JPM")
    assert [str(s.fiscal_date) for s in jpm_default] == ["2022-12-31"]  # fiscal 2023 ended after 2023-10-27
    with pytest.raises(ToolError, match="ended by 2022-06-30"):
        await mid2022.income_statements("JPM")  # its first statement ends 2022-12-31


async def test_prices_quotes_and_market_caps_stop_at_the_as_of_date(mid2022):
    bars = await mid2022.historical_prices("AAPL", last_n_days=10)
    assert bars[-1].date == date(2022, 6, 30)
    later = await mid2022.historical_prices("AAPL", start=date(2022, 6, 1), end=date(2023, 1, 31))
    assert later[-1].date == date(2022, 6, 30)  # an end after the as-of date is cut to it
    q = await mid2022.quote("AAPL")
    assert q.as_of == date(2022, 6, 30) and q.price == bars[-1].close
    assert q.eps is None and q.pe is None and "no fiscal EPS" in q.source  # AAPL's fiscal-2021 row holds no figures
    year_end = await SnapshotProvider(as_of="2022-12-30").quote("AAPL")
    assert year_end.eps_fiscal_date == date(2022, 9, 30) and year_end.pe == round(year_end.price / year_end.eps, 2)
    top = await mid2022.top_companies(sector="Information Technology", limit=3)
    assert {c.market_cap_as_of for c in top} == {date(2022, 6, 30)}
    # AAPL has no share count dated by then (and its profile is of 2023-10-17): no market cap, so no rank
    assert q.market_cap is None and "AAPL" not in [c.symbol for c in top]
    msft = await mid2022.quote("MSFT")
    assert msft.market_cap == next(c.market_cap for c in top if c.symbol == "MSFT") == round(msft.price * 7_464_000_000)
    assert (await SnapshotProvider().quote("MSFT")).market_cap != msft.market_cap


async def test_use_data_with_only_a_date_reads_the_default_provider_as_of_it():
    with use_data(None, "2022-06-30"):
        assert current_provider().as_of == date(2022, 6, 30)
        rows = await get_income_statement(symbol="MSFT")
        assert [str(r.fiscal_date) for r in rows] == ["2022-06-30"]  # a period ending on the date counts
    assert current_provider().as_of == date(2023, 10, 27)


def test_make_provider_reads_finagent_as_of(monkeypatch):
    monkeypatch.setenv("FINAGENT_AS_OF", "2022-01-31")
    assert make_provider("snapshot").as_of == date(2022, 1, 31)
    assert make_provider("snapshot", "2021-12-31").as_of == date(2021, 12, 31)  # an explicit date wins


def test_a_provider_without_a_date_is_read_as_of_today():
    class Live:
        name = "live"

    assert data_as_of(Live()) == date.today()  # type: ignore[arg-type]
