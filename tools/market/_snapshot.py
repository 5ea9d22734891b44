"""`SnapshotProvider`: the offline, embedded SQLite snapshot of real market data (see data/README.md)."""

from __future__ import annotations

import asyncio
import difflib
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tools._errors import ToolError

from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch
from ._provider import DataUnavailableError, UnknownSymbolError
from .industries import industry_members, normalize_industry, sp500
from .sectors import normalize_sector

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "snapshot.sqlite"
MAX_LIMIT = 50
DEFAULT_PRICE_DAYS = 30


def normalize_symbol(symbol: str) -> str:
    """Upper-case, strip `$` and spaces, and write share classes the Yahoo/FMP way (BRK.B -> BRK-B)."""
    return symbol.strip().lstrip("$").strip().upper().replace(".", "-").replace(" ", "")


def parse_as_of(value: date | str | None) -> date | None:
    """A date from a `date` or an ISO string ("2023-06-30"); None stays None. Else a clear ValueError."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"as_of must be a date written YYYY-MM-DD, not {value!r}") from None


# The `market_caps` view of the file, as of a date: the last close on or before it, the shares of the
# latest balance sheet by then, splits after it undone; else the FMP profile's cap if dated by then.
MARKET_CAPS_AS_OF = """
CREATE TEMP TABLE market_caps AS
WITH last AS (SELECT symbol, MAX(date) AS as_of FROM prices WHERE date <= :as_of GROUP BY symbol),
v AS (
  SELECT c.symbol, c.name, c.sector, c.industry, l.as_of, p.close AS price, p.volume,
    COALESCE((SELECT cumulative FROM splits s WHERE s.symbol = c.symbol AND s.date > l.as_of
              ORDER BY s.date LIMIT 1), 1) AS split_factor,
    (SELECT shares_outstanding FROM balance_sheets b WHERE b.symbol = c.symbol AND b.fiscal_date <= l.as_of
       AND b.shares_outstanding IS NOT NULL ORDER BY b.fiscal_date DESC LIMIT 1) AS shares_reported,
    c.share_class_ratio,
    CASE WHEN c.profile_as_of <= :as_of THEN c.profile_market_cap END AS profile_market_cap,
    CASE WHEN c.profile_as_of <= :as_of THEN c.profile_as_of END AS profile_as_of
  FROM companies c LEFT JOIN last l ON l.symbol = c.symbol LEFT JOIN prices p ON p.symbol = c.symbol AND p.date = l.as_of)
SELECT *,
  CASE WHEN price IS NOT NULL AND shares_reported IS NOT NULL
       THEN price * shares_reported * share_class_ratio / split_factor ELSE profile_market_cap END AS market_cap,
  CASE WHEN price IS NOT NULL AND shares_reported IS NOT NULL THEN as_of ELSE profile_as_of END AS market_cap_as_of
FROM v
"""


def _clamp(limit: int | None, default: int) -> int:
    return max(1, min(int(limit or default), MAX_LIMIT))


class SnapshotProvider:
    """Reads the offline snapshot read-only. One shared connection, guarded by a lock, used off-loop."""

    name = "snapshot"

    def __init__(self, path: str | Path | None = None, *, as_of: date | str | None = None):
        """`as_of`: the date the data is read as of (default: the last price date, 2023-10-27).
        Prices stop there, statements are those of fiscal periods ended by then, and quotes and
        market caps use the last close on or before it."""
        self.path = Path(path) if path is not None else DEFAULT_PATH
        self._as_of = parse_as_of(as_of)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._symbols: frozenset[str] | None = None
        self._names: dict[str, str] | None = None
        self._meta: dict[str, str] | None = None

    def __repr__(self) -> str:
        return f"SnapshotProvider({str(self.path)!r}, as_of={self._as_of!r})"

    @property
    def as_of(self) -> date:
        """The date everything is read as of: the one asked for, else the last price date."""
        return self._as_of or date.fromisoformat(self.meta()["prices_last_date"])

    # --- plumbing ---------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.is_file():
                raise ToolError(f"offline market snapshot not found at {self.path}", kind="no_snapshot")
            uri = self.path.resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            # The market_caps view costs ~10 ms a lookup; the snapshot is read-only, so compute it once
            # per connection, as of `as_of`, into a temp table of the same name (temp shadows main).
            conn.execute(MARKET_CAPS_AS_OF, {"as_of": (self._as_of or date.max).isoformat()})
            conn.execute("CREATE UNIQUE INDEX temp.market_caps_symbol ON market_caps(symbol)")
            self._conn = conn
        return self._conn

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._connection().execute(sql, params).fetchall()

    async def _q(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        return await asyncio.to_thread(self._query, sql, params)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    async def aclose(self) -> None:
        self.close()

    def meta(self) -> dict[str, str]:
        if self._meta is None:
            self._meta = {r["key"]: r["value"] for r in self._query("SELECT key, value FROM meta")}
        return self._meta

    def symbols(self) -> frozenset[str]:
        if self._symbols is None:
            self._symbols = frozenset(r[0] for r in self._query("SELECT symbol FROM companies"))
        return self._symbols

    def company_names(self) -> dict[str, str]:
        if self._names is None:
            rows = self._query("SELECT symbol, name FROM companies WHERE name IS NOT NULL ORDER BY symbol")
            self._names = {r["symbol"]: r["name"] for r in rows}
        return dict(self._names)

    def _source(self, what: str) -> str:
        return f"offline snapshot ({what})"

    def _require(self, symbol: str) -> str:
        sym = normalize_symbol(symbol)
        known = self.symbols()
        if sym in known:
            return sym
        m = self.meta()
        member = sp500().get(sym)
        near = [] if member else difflib.get_close_matches(sym, sorted(known), n=3, cutoff=0.6)
        hint = f" Similar tickers in the snapshot: {', '.join(near)}." if near else ""
        who = f"{member.name} ({sym}), an S&P 500 company," if member else repr(sym or symbol)
        raise UnknownSymbolError(
            f"{who} is not in the offline snapshot, which covers {m.get('companies', len(known))} "
            f"large US companies (prices {m.get('prices_first_date')} to {m.get('prices_last_date')}, "
            f"annual statements to {m.get('fiscal_last_date')}).{hint} Live data is available with "
            f"`--data fmp` and the FMP_API_KEY environment variable set."
        )

    def _no_data(self, sym: str, what: str) -> DataUnavailableError:
        m = self.meta()
        return DataUnavailableError(
            f"the offline snapshot has no {what} for {sym} (prices cover {m.get('prices_first_date')} to "
            f"{m.get('prices_last_date')}, annual statements to {m.get('fiscal_last_date')}). "
            f"Live data is available with `--data fmp` and FMP_API_KEY."
        )

    # --- quotes and profiles ----------------------------------------------------------------

    async def quote(self, symbol: str) -> Quote:
        return await asyncio.to_thread(self._quote, self._require(symbol))  # one thread hop, three queries

    def _quote(self, sym: str) -> Quote:
        rows = self._query("SELECT * FROM market_caps WHERE symbol = ?", (sym,))
        v = rows[0]
        if v["price"] is None:
            raise self._no_data(sym, "price data")
        as_of = v["as_of"]
        closes = [r[0] for r in self._query(
            "SELECT close FROM prices WHERE symbol = ? AND date <= ? ORDER BY date DESC LIMIT 200", (sym, as_of))]
        avg50 = sum(closes[:50]) / 50 if len(closes) >= 50 else None
        avg200 = sum(closes[:200]) / 200 if len(closes) >= 200 else None
        eps_rows = self._query(
            "SELECT fiscal_date, eps_diluted FROM income_statements WHERE symbol = ? AND fiscal_date <= ? "
            "AND eps_diluted IS NOT NULL ORDER BY fiscal_date DESC LIMIT 1", (sym, as_of))
        eps = eps_fiscal = None
        if eps_rows:
            # Statements were fetched in 2026: per-share figures are restated for later splits.
            eps = round(eps_rows[0]["eps_diluted"] * v["split_factor"], 4)
            eps_fiscal = eps_rows[0]["fiscal_date"]
        price = v["price"]
        pe = round(price / eps, 2) if eps and eps > 0 else None
        return Quote(
            symbol=sym, price=price, volume=v["volume"],
            avg_50d=round(avg50, 4) if avg50 is not None else None,
            avg_200d=round(avg200, 4) if avg200 is not None else None,
            eps=eps, eps_fiscal_date=eps_fiscal, pe=pe,
            market_cap=round(v["market_cap"]) if v["market_cap"] is not None else None,
            as_of=as_of,
            source=self._source(f"close of {as_of}; EPS = diluted EPS of fiscal year ended {eps_fiscal}"
                                if eps_fiscal else f"close of {as_of}; no fiscal EPS before that date"),
        )

    async def profile(self, symbol: str) -> CompanyProfile:
        sym = self._require(symbol)
        r = (await self._q(
            "SELECT c.*, m.market_cap, m.market_cap_as_of FROM companies c JOIN market_caps m USING (symbol) "
            "WHERE c.symbol = ?", (sym,)))[0]
        return CompanyProfile(
            symbol=sym, name=r["name"], sector=r["sector"], industry=r["industry"], exchange=r["exchange"],
            website=r["website"], beta=r["beta"],
            market_cap=round(r["market_cap"]) if r["market_cap"] is not None else None,
            market_cap_as_of=r["market_cap_as_of"], description=r["description"], ceo=r["ceo"],
            country=r["country"], employees=r["employees"], ipo_date=r["ipo_date"],
            headquarters=r["headquarters"],
            source=self._source("FMP profile of 2023-10-17, GICS classification from the S&P 500 list"
                                if r["profile_as_of"] else "GICS classification from the S&P 500 list"),
        )

    # --- statements -------------------------------------------------------------------------

    async def _statements(self, table: str, model: type[BaseModel], symbol: str, limit: int) -> list[Any]:
        sym = self._require(symbol)
        rows = await self._q(
            f"SELECT * FROM {table} WHERE symbol = ? AND fiscal_date <= ? ORDER BY fiscal_date DESC LIMIT ?",
            (sym, self.as_of.isoformat(), _clamp(limit, 5)))
        if not rows:
            raise self._no_data(sym, f"{table.replace('_', ' ')} for fiscal periods ended by {self.as_of}")
        fields = set(model.model_fields)
        source = self._source("annual statements from Yahoo Finance, fetched 2026-03; per-share figures "
                              "restated for later splits")
        return [model(**{k: r[k] for k in r.keys() if k in fields}, source=source) for r in rows]

    async def income_statements(self, symbol: str, limit: int = 5) -> list[IncomeStatement]:
        return await self._statements("income_statements", IncomeStatement, symbol, limit)

    async def balance_sheets(self, symbol: str, limit: int = 5) -> list[BalanceSheet]:
        return await self._statements("balance_sheets", BalanceSheet, symbol, limit)

    async def cash_flows(self, symbol: str, limit: int = 5) -> list[CashFlow]:
        return await self._statements("cash_flows", CashFlow, symbol, limit)

    # --- prices -----------------------------------------------------------------------------

    async def historical_prices(
        self, symbol: str, start: date | None = None, end: date | None = None, last_n_days: int | None = None
    ) -> list[PriceBar]:
        """Daily bars from `start` to `end` (inclusive, never after `as_of`). `last_n_days` counts
        calendar days back from `end`, or from the last price date by `as_of`; with no range, 30 days."""
        sym = self._require(symbol)
        if last_n_days is not None and last_n_days < 1:
            raise ToolError("last_n_days must be at least 1", kind="invalid_arguments")
        if start and end and start > end:
            raise ToolError(f"start date {start} is after end date {end}", kind="invalid_arguments")
        as_of = self.as_of
        end = min(end, as_of) if end else None
        if start and start > as_of:
            raise self._no_data(sym, f"prices from {start}: the data is read as of {as_of}")
        if start is None:  # a window of calendar days ending at `end` or at the last price date
            if end is None:
                last = (await self._q("SELECT MAX(date) FROM prices WHERE symbol = ? AND date <= ?",
                                      (sym, as_of.isoformat())))[0][0]
                if last is None:
                    raise self._no_data(sym, "price data")
                end = date.fromisoformat(last)
            start = end - timedelta(days=(last_n_days or DEFAULT_PRICE_DAYS) - 1)
        rows = await self._q(
            "SELECT date, open, high, low, close, adj_close, volume FROM prices WHERE symbol = ? "
            "AND date >= ? AND date <= ? ORDER BY date",
            (sym, (start or date.min).isoformat(), (end or as_of).isoformat()))
        if not rows:
            raise self._no_data(sym, f"prices between {start or 'the start'} and {end or 'the end'}")
        return [PriceBar(**dict(r)) for r in rows]

    # --- screening --------------------------------------------------------------------------

    async def top_companies(
        self, sector: str | None = None, industry: str | None = None, limit: int = 10
    ) -> list[CompanyRank]:
        where: list[str] = ["m.market_cap IS NOT NULL"]
        params: list[Any] = []
        if sector:
            try:
                where.append("m.sector = ? COLLATE NOCASE")
                params.append(normalize_sector(sector))
            except ValueError as e:
                raise ToolError(str(e), kind="invalid_arguments") from None
        members = industry_members(normalize_industry(industry) or "") if industry and industry.strip() else ()
        if members:  # an industry group or GICS sub-industry: its members exactly
            marks = ", ".join("?" for _ in members)
            where.append(f"(c.gics_sub_industry IN ({marks}) OR (c.gics_sub_industry IS NULL AND c.industry IN ({marks})))")
            params += [*members, *members]
        elif industry and industry.strip():
            like = f"%{industry.strip()}%"
            where.append("(c.industry LIKE ? OR c.gics_sub_industry LIKE ? OR c.fmp_industry LIKE ?)")
            params += [like, like, like]
        rows = await self._q(
            "SELECT m.symbol, m.name, m.sector, m.industry, m.market_cap, m.market_cap_as_of "
            "FROM market_caps m JOIN companies c USING (symbol) "
            f"WHERE {' AND '.join(where)} ORDER BY m.market_cap DESC, m.symbol LIMIT ?",
            (*params, _clamp(limit, 10)))
        if not rows:
            raise DataUnavailableError(
                f"no companies in the offline snapshot match sector={sector!r} industry={industry!r}; "
                f"try a broader industry word or only the sector")
        return [_rank(i, r) for i, r in enumerate(rows, 1)]

    async def peers(self, symbol: str, limit: int = 5) -> list[CompanyRank]:
        """Same industry first, then the rest of the sector; each ranked by market cap."""
        sym = self._require(symbol)
        me = (await self._q("SELECT industry, sector FROM companies WHERE symbol = ?", (sym,)))[0]
        if me["sector"] is None:
            raise self._no_data(sym, "sector or industry classification")
        rows = await self._q(
            "SELECT symbol, name, sector, industry, market_cap, market_cap_as_of FROM market_caps "
            "WHERE symbol != ? AND market_cap IS NOT NULL AND (industry = ? COLLATE NOCASE OR sector = ?) "
            "ORDER BY (industry = ? COLLATE NOCASE) DESC, market_cap DESC, symbol LIMIT ?",
            (sym, me["industry"], me["sector"], me["industry"], _clamp(limit, 5)))
        return [_rank(i, r) for i, r in enumerate(rows, 1)]

    async def find_symbol(self, query: str, limit: int = 5) -> list[SymbolMatch]:
        q = query.strip()
        if not q:
            raise ToolError("query is empty", kind="invalid_arguments")
        sym = normalize_symbol(q)
        rows = await self._q(
            "SELECT symbol, name, exchange, sector, CASE "
            "  WHEN symbol = ? THEN 0 WHEN name LIKE ? THEN 1 WHEN name LIKE ? THEN 2 "
            "  WHEN symbol LIKE ? THEN 3 ELSE 4 END AS score "
            "FROM companies WHERE symbol = ? OR name LIKE ? OR symbol LIKE ? "
            "ORDER BY score, symbol LIMIT ?",
            (sym, f"{q}%", f"%{q}%", f"{sym}%", sym, f"%{q}%", f"{sym}%", _clamp(limit, 5)))
        return [SymbolMatch(symbol=r["symbol"], name=r["name"], exchange=r["exchange"], sector=r["sector"])
                for r in rows]


def _rank(i: int, r: sqlite3.Row) -> CompanyRank:
    return CompanyRank(rank=i, symbol=r["symbol"], name=r["name"], sector=r["sector"], industry=r["industry"],
                       market_cap=round(r["market_cap"]) if r["market_cap"] is not None else None,
                       market_cap_as_of=r["market_cap_as_of"])
