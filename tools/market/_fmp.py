"""`FMPProvider`: live data from Financial Modeling Prep's stable API (https://financialmodelingprep.com/stable).

Where each value comes from (the stable endpoint, then the field; see `_fmp_shapes` for the shapes):

- quote: `quote` (price, volume, priceAvg50/200, marketCap, timestamp). The stable quote has no EPS
  and no P/E, so EPS is `epsDiluted` of the latest annual `income-statement` (fetched alongside) and
  P/E = price / that EPS, computed here: the same meaning as the offline snapshot's quote.
- profile: `profile` (market cap from `marketCap`); statements: `income-statement`,
  `balance-sheet-statement`, `cash-flow-statement` (annual, newest first, `limit` years).
- prices: `historical-price-eod/full` (split-adjusted OHLC and volume, a flat list, newest first, asked
  with `from`/`to`); `adj_close` (also adjusted for dividends) from `historical-price-eod/dividend-adjusted`
  when the plan serves it, else left empty.
- top companies: `company-screener`; symbol search: `search-symbol`, then `search-name` if that finds
  nothing; peers: `stock-peers` (its `mktCap`), with `batch-quote` filling any missing market cap.

A refused request (HTTP 401/402/403) is one line saying what to do (see `_fmp_http`).
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from tools._errors import ToolError

from . import _fmp_shapes as shapes
from ._fmp_http import DEFAULT_BASE_URL, FMPClient
from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch
from ._provider import DataUnavailableError, MalformedReplyError, UnknownSymbolError
from .sectors import SECTORS, normalize_sector

__all__ = ["FMPProvider", "DEFAULT_BASE_URL", "SOURCE", "GICS_TO_FMP"]

SOURCE = shapes.SOURCE
# GICS sector -> the sector name FMP's screener expects.
GICS_TO_FMP = {
    "Information Technology": "Technology", "Health Care": "Healthcare", "Financials": "Financial Services",
    "Consumer Discretionary": "Consumer Cyclical", "Consumer Staples": "Consumer Defensive",
    "Materials": "Basic Materials",
}
MAX_BATCH = 25  # symbols in one batch-quote request


class FMPProvider:
    """Live market data over one pooled `httpx.AsyncClient`, with bounded retries on 429 and 5xx."""

    name = "fmp"

    def __init__(self, api_key: str | None = None, base_url: str | None = None, *, as_of: date | str | None = None,
                 **http: Any):
        """`api_key` (default: env FMP_API_KEY), `base_url` (env FMP_BASE_URL, else the stable API);
        `as_of`: a past date to read statements and prices as of (default: today; quotes are always
        today's, so a past `as_of` has none); `http`: `FMPClient` options (timeout, client, attempts,
        backoff, max_backoff)."""
        from ._snapshot import parse_as_of

        self._http = FMPClient(api_key, base_url, **http)
        self._names: dict[str, str] = {}
        self._as_of = parse_as_of(as_of)

    @property
    def as_of(self) -> date:
        """The date the data is read as of: the one asked for, else today."""
        return self._as_of or shapes.today()

    def _past(self) -> date | None:
        return self._as_of if self._as_of and self._as_of < shapes.today() else None

    def _by_as_of(self, records: list[Any]) -> list[Any]:
        """Statements of fiscal periods ended by `as_of` (an error when none is)."""
        past = self._past()
        kept = [r for r in records if r.fiscal_date <= past] if past else records
        if records and not kept:
            raise DataUnavailableError(f"Financial Modeling Prep returned no statement for {records[0].symbol} of a fiscal "
                                       f"period ended by {past} (it sends the latest ones first)")
        return kept

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def __repr__(self) -> str:
        return f"FMPProvider(base_url={self.base_url!r}, key={'set' if self._http.has_key else 'missing'})"

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- helpers ----------------------------------------------------------------------------

    async def _list(self, endpoint: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The reply as a list of objects (possibly empty), else `MalformedReplyError`."""
        data = await self._http.get(endpoint, params)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise MalformedReplyError(f"FMP {endpoint}: expected a list of objects, got {type(data).__name__}")
        return data

    async def _rows(self, endpoint: str, sym: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows about one symbol; an empty reply means FMP does not know the ticker."""
        rows = await self._list(endpoint, {"symbol": sym, **(params or {})})
        if not rows:
            raise UnknownSymbolError(f"Financial Modeling Prep has no data for {sym!r}; check the ticker "
                                     f"(find_symbol can look it up by company name)")
        return rows

    def _remember(self, symbol: Any, name: Any) -> None:
        if isinstance(symbol, str) and isinstance(name, str) and name:
            self._names[symbol] = name

    # --- DataProvider -----------------------------------------------------------------------

    def symbols(self) -> None:
        return None

    def company_names(self) -> dict[str, str]:
        return dict(self._names)

    async def quote(self, symbol: str) -> Quote:
        sym = _sym(symbol)
        if self._past():
            raise DataUnavailableError(f"a live quote is today's, not {self._as_of}'s: with an earlier as-of date, "
                                       f"use the historical prices and statements up to it")
        quoted: list[dict[str, Any]] | BaseException
        latest: list[dict[str, Any]] | BaseException
        quoted, latest = await asyncio.gather(
            self._rows("quote", sym), self._rows("income-statement", sym, {"limit": 1}), return_exceptions=True)
        if isinstance(quoted, BaseException):
            raise quoted
        if isinstance(latest, ToolError):  # the price stands on its own; say why P/E is missing
            eps, fiscal = None, None
            note = f"no EPS or P/E: the latest annual income statement is unavailable ({latest.kind})"
        elif isinstance(latest, BaseException):
            raise latest
        else:
            eps, fiscal = shapes.eps_diluted(latest[0])
            note = (f"P/E = price / diluted EPS of the fiscal year ended {fiscal} (income-statement)" if eps
                    else "no P/E: the latest annual income statement has no diluted EPS")
        q = quoted[0]
        self._remember(q.get("symbol"), q.get("name"))
        return shapes.quote(q, sym, eps=eps, eps_fiscal_date=fiscal, note=note)

    async def profile(self, symbol: str) -> CompanyProfile:
        sym = _sym(symbol)
        p = (await self._rows("profile", sym))[0]
        self._remember(p.get("symbol"), p.get("companyName"))
        return shapes.profile(p, sym)

    async def income_statements(self, symbol: str, limit: int = 5) -> list[IncomeStatement]:
        sym = _sym(symbol)
        rows = await self._rows("income-statement", sym, {"limit": _limit(limit, 5)})
        return self._by_as_of([shapes.income_statement(r, sym) for r in rows])

    async def balance_sheets(self, symbol: str, limit: int = 5) -> list[BalanceSheet]:
        sym = _sym(symbol)
        rows = await self._rows("balance-sheet-statement", sym, {"limit": _limit(limit, 5)})
        return self._by_as_of([shapes.balance_sheet(r, sym) for r in rows])

    async def cash_flows(self, symbol: str, limit: int = 5) -> list[CashFlow]:
        sym = _sym(symbol)
        rows = await self._rows("cash-flow-statement", sym, {"limit": _limit(limit, 5)})
        return self._by_as_of([shapes.cash_flow(r, sym) for r in rows])

    async def historical_prices(
        self, symbol: str, start: date | None = None, end: date | None = None, last_n_days: int | None = None
    ) -> list[PriceBar]:
        """Daily bars from `start` to `end` (inclusive), oldest first; `last_n_days` counts calendar days
        back from `end` (default today); with no range at all, the last 30 days."""
        sym = _sym(symbol)
        if last_n_days is not None and last_n_days < 1:
            raise ToolError("last_n_days must be at least 1", kind="invalid_arguments")
        if start and end and start > end:
            raise ToolError(f"start date {start} is after end date {end}", kind="invalid_arguments")
        past = self._past()
        if past:
            end = min(end or past, past)
        if start is None:
            end = end or shapes.today()
            start = end - timedelta(days=(last_n_days or 30) - 1)
        params = {"symbol": sym, "from": start.isoformat(), "to": end.isoformat() if end else None}
        full, adjusted = await asyncio.gather(
            self._list("historical-price-eod/full", params),
            self._http.get("historical-price-eod/dividend-adjusted", params), return_exceptions=True)
        if isinstance(full, BaseException):
            raise full
        if isinstance(adjusted, BaseException) and not isinstance(adjusted, ToolError):
            raise adjusted
        if any(not isinstance(r.get("date"), str) for r in full):
            raise MalformedReplyError("FMP historical-price-eod/full: a bar without a date")
        last = end.isoformat() if end else "9999-12-31"
        rows = [r for r in full if start.isoformat() <= r["date"][:10] <= last]  # the range, whatever was sent
        if not rows:
            raise DataUnavailableError(f"Financial Modeling Prep has no prices for {sym} between {start} and "
                                       f"{end or 'today'}; check the ticker and the dates")
        adj = shapes.adj_closes(adjusted) if not isinstance(adjusted, BaseException) else {}
        bars = {r["date"][:10]: shapes.price_bar({**r, "date": r["date"][:10]}, adj.get(r["date"][:10]))
                for r in rows}
        return [bars[d] for d in sorted(bars)]

    async def top_companies(
        self, sector: str | None = None, industry: str | None = None, limit: int = 10
    ) -> list[CompanyRank]:
        fmp_sector = None
        if sector:
            try:
                gics = normalize_sector(sector)
            except ValueError as e:
                raise ToolError(str(e), kind="invalid_arguments") from None
            fmp_sector = GICS_TO_FMP.get(gics, gics)
        n = _limit(limit, 10)
        data = await self._list("company-screener", {
            "sector": fmp_sector, "industry": industry or None, "marketCapMoreThan": 1_000_000_000,
            "isEtf": "false", "isFund": "false", "isActivelyTrading": "true", "limit": max(n * 3, 30)})
        rows = [r for r in data if isinstance(r.get("symbol"), str) and not r.get("isEtf") and not r.get("isFund")]
        rows = sorted(rows, key=lambda r: -_cap(r.get("marketCap")))[:n]
        if not rows:
            raise DataUnavailableError(f"the FMP screener found no companies for sector={sector!r} "
                                       f"industry={industry!r}; try a broader industry word or only the sector")
        for r in rows:
            self._remember(r.get("symbol"), r.get("companyName"))
        return [shapes.ranked(i, r, "company-screener", r.get("marketCap")) for i, r in enumerate(rows, 1)]

    async def find_symbol(self, query: str, limit: int = 5) -> list[SymbolMatch]:
        q = query.strip()
        if not q:
            raise ToolError("query is empty", kind="invalid_arguments")
        n = _limit(limit, 5)
        rows = await self._list("search-symbol", {"query": q, "limit": n})
        if not rows:  # search-symbol matches tickers; a company name needs search-name
            rows = await self._list("search-name", {"query": q, "limit": n})
        out = [shapes.symbol_match(r) for r in rows][:n]
        for m in out:
            self._remember(m.symbol, m.name)
        return out

    async def peers(self, symbol: str, limit: int = 5) -> list[CompanyRank]:
        sym = _sym(symbol)
        data = await self._list("stock-peers", {"symbol": sym})
        if not data:
            raise DataUnavailableError(f"Financial Modeling Prep lists no peers for {sym!r}; check the ticker "
                                       f"(find_symbol can look it up by company name)")
        rows = {r["symbol"]: r for r in data if isinstance(r.get("symbol"), str) and r["symbol"] != sym}
        caps = {s: shapes.peer_market_cap(r) for s, r in rows.items()}
        missing = [s for s, cap in caps.items() if cap is None][:MAX_BATCH]
        if missing:
            caps.update(await self._batch_market_caps(missing))
        ordered = sorted(rows, key=lambda s: -_cap(caps.get(s)))[: _limit(limit, 5)]
        for s in ordered:
            self._remember(s, rows[s].get("companyName"))
        return [shapes.ranked(i, rows[s], "stock-peers", caps.get(s)) for i, s in enumerate(ordered, 1)]

    async def _batch_market_caps(self, symbols: list[str]) -> dict[str, float]:
        """Market caps from `batch-quote`; empty when the plan does not serve it (peers still list)."""
        try:
            quotes = await self._list("batch-quote", {"symbols": ",".join(symbols)})
        except ToolError:
            return {}
        return {q["symbol"]: q["marketCap"] for q in quotes
                if q.get("symbol") in symbols and isinstance(q.get("marketCap"), (int, float))}


def _sym(symbol: str) -> str:
    return symbol.strip().lstrip("$").strip().upper()


def _limit(limit: int | None, default: int) -> int:
    return max(1, min(int(limit or default), 50))


def _cap(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


assert set(GICS_TO_FMP) <= set(SECTORS)
