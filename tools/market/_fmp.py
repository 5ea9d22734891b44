"""`FMPProvider`: live data from Financial Modeling Prep (https://financialmodelingprep.com).

The API key travels in the query string (`apikey=`), so no URL with its query ever goes into an
exception, repr or log line: errors name the endpoint path only, httpx's own errors are never
chained, and a logging filter redacts `apikey=` in httpx/httpcore log records.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential, wait_random

from tools._errors import ToolError

from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch
from ._provider import DataAuthError, DataUnavailableError, MalformedReplyError, RateLimitedError, UnknownSymbolError, UpstreamError
from .sectors import SECTORS, normalize_sector

DEFAULT_BASE_URL = "https://financialmodelingprep.com/api/v3"
SOURCE = "Financial Modeling Prep (live)"
_KEY_IN_TEXT = re.compile(r"(apikey=)[^&\s'\"]+", re.IGNORECASE)
# GICS sector -> the sector name FMP's screener expects.
GICS_TO_FMP = {
    "Information Technology": "Technology", "Health Care": "Healthcare", "Financials": "Financial Services",
    "Consumer Discretionary": "Consumer Cyclical", "Consumer Staples": "Consumer Defensive",
    "Materials": "Basic Materials",
}


class _RedactKeys(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_KEY_IN_TEXT.sub(r"\1***", str(a)) if _KEY_IN_TEXT.search(str(a)) else a
                                for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _KEY_IN_TEXT.sub(r"\1***", record.msg)
        return True


_REDACT = _RedactKeys()
for _name in ("httpx", "httpcore"):
    if _REDACT not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_REDACT)


class FMPProvider:
    """Live market data over one pooled `httpx.AsyncClient`, with bounded retries on 429 and 5xx."""

    name = "fmp"

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 10,
        client: httpx.AsyncClient | None = None,
        *,
        v4_base_url: str | None = None,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ):
        self._key = api_key if api_key is not None else os.environ.get("FMP_API_KEY", "")
        self.base_url = (base_url or os.environ.get("FMP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.v4_base_url = (v4_base_url or re.sub(r"/v3$", "/v4", self.base_url)).rstrip("/")
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._backoff_wait = wait_exponential(multiplier=backoff, max=max_backoff) + wait_random(0, backoff)
        self._client = client
        self._owns_client = client is None
        self._names: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"FMPProvider(base_url={self.base_url!r}, key={'set' if self._key else 'missing'})"

    # --- HTTP -------------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, limits=httpx.Limits(max_connections=10))
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def _redact(self, text: str) -> str:
        text = _KEY_IN_TEXT.sub(r"\1***", text)
        return text.replace(self._key, "***") if self._key else text

    async def _get(self, path: str, params: dict[str, Any] | None = None, *, v4: bool = False) -> Any:
        if not self._key:
            raise DataAuthError("no Financial Modeling Prep API key: set the FMP_API_KEY environment "
                                "variable (or use the offline snapshot with `--data snapshot`)")
        url = f"{self.v4_base_url if v4 else self.base_url}/{path}"
        query = {k: v for k, v in (params or {}).items() if v is not None}
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type((RateLimitedError, _Retryable5xx)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(url, path, {**query, "apikey": self._key})
        except _Retryable5xx as e:
            raise UpstreamError(str(e)) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_backoff)
        return self._backoff_wait(state)

    async def _once(self, url: str, path: str, query: dict[str, Any]) -> Any:
        where = f"FMP {path.split('?')[0]}"
        failure: ToolError | None = None
        try:
            response = await self._http().get(url, params=query, timeout=self.timeout)
        except httpx.TimeoutException:
            failure = UpstreamError(f"{where}: no reply within {self.timeout:g}s (timeout)")
        except httpx.HTTPError as e:
            failure = UpstreamError(f"{where}: connection failed ({type(e).__name__})")
        if failure is not None:  # raised outside `except`, so no httpx error (URL + key) is chained
            raise failure
        status = response.status_code
        text = response.text
        if status == 429:
            raise RateLimitedError(f"{where}: rate limited (HTTP 429)", retry_after=_retry_after(response))
        if status in (401, 403):
            raise DataAuthError(f"{where}: the API key was rejected (HTTP {status}); check FMP_API_KEY "
                                f"and the plan's access to this endpoint. {self._upstream_message(text)}".strip())
        if status >= 500:
            raise _Retryable5xx(f"{where}: upstream error (HTTP {status})")
        if status == 404:
            raise UnknownSymbolError(f"{where}: not found (HTTP 404)")
        if status >= 400:
            raise UpstreamError(f"{where}: HTTP {status}. {self._upstream_message(text)}".strip(), transient=False)
        try:
            data = json.loads(text)
        except ValueError:
            data = _INVALID
        if data is _INVALID:
            raise MalformedReplyError(f"{where}: the reply is not valid JSON")
        if isinstance(data, dict) and "Error Message" in data:
            message = self._upstream_message(text)
            if "limit" in message.lower():
                raise RateLimitedError(f"{where}: {message}", retry_after=None)
            raise DataAuthError(f"{where}: {message}")
        return data

    def _upstream_message(self, text: str) -> str:
        try:
            data = json.loads(text)
        except ValueError:
            return ""
        message = data.get("Error Message") if isinstance(data, dict) else None
        return self._redact(str(message))[:200] if message else ""

    # --- helpers ----------------------------------------------------------------------------

    async def _rows(self, path: str, symbol: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        data = await self._get(path, params)
        if not isinstance(data, list):
            raise MalformedReplyError(f"FMP {path.split('/')[0]}: expected a list, got {type(data).__name__}")
        if not data:
            raise UnknownSymbolError(f"Financial Modeling Prep has no data for {symbol!r}; check the ticker "
                                     f"(find_symbol can look it up by company name)")
        if not all(isinstance(r, dict) for r in data):
            raise MalformedReplyError(f"FMP {path.split('/')[0]}: expected a list of objects")
        return data

    def _parse(self, model: Callable[..., Any], endpoint: str, **fields: Any) -> Any:
        try:
            return model(**fields)
        except (ValueError, TypeError) as e:
            raise MalformedReplyError(f"FMP {endpoint}: unexpected reply shape ({type(e).__name__})") from None

    # --- DataProvider -----------------------------------------------------------------------

    def symbols(self) -> None:
        return None

    def company_names(self) -> dict[str, str]:
        return dict(self._names)

    async def quote(self, symbol: str) -> Quote:
        sym = _sym(symbol)
        q = (await self._rows(f"quote/{sym}", sym))[0]
        self._remember(q.get("symbol"), q.get("name"))
        ts = q.get("timestamp")
        as_of = datetime.fromtimestamp(ts, tz=timezone.utc).date() if isinstance(ts, (int, float)) else _today()
        return self._parse(
            Quote, "quote", symbol=q.get("symbol") or sym, price=q.get("price"), volume=_int(q.get("volume")),
            avg_50d=q.get("priceAvg50"), avg_200d=q.get("priceAvg200"), eps=q.get("eps"), pe=q.get("pe"),
            market_cap=q.get("marketCap"), as_of=as_of, source=SOURCE)

    async def profile(self, symbol: str) -> CompanyProfile:
        sym = _sym(symbol)
        p = (await self._rows(f"profile/{sym}", sym))[0]
        self._remember(p.get("symbol"), p.get("companyName"))
        return self._parse(
            CompanyProfile, "profile", symbol=p.get("symbol") or sym, name=p.get("companyName"),
            sector=_gics(p.get("sector")), industry=p.get("industry") or None,
            exchange=p.get("exchangeShortName") or p.get("exchange"), website=p.get("website") or None,
            beta=p.get("beta"), market_cap=p.get("mktCap"), market_cap_as_of=_today(),
            description=p.get("description") or None, ceo=p.get("ceo") or None, country=p.get("country") or None,
            employees=_int(p.get("fullTimeEmployees")), ipo_date=p.get("ipoDate") or None,
            headquarters=", ".join(x for x in (p.get("city"), p.get("state")) if x) or None, source=SOURCE)

    async def income_statements(self, symbol: str, limit: int = 5) -> list[IncomeStatement]:
        sym = _sym(symbol)
        rows = await self._rows(f"income-statement/{sym}", sym, {"limit": _limit(limit, 5)})
        return [self._parse(
            IncomeStatement, "income-statement", symbol=sym, fiscal_date=r.get("date"), revenue=r.get("revenue"),
            cost_of_revenue=r.get("costOfRevenue"), gross_profit=r.get("grossProfit"),
            research_and_development=r.get("researchAndDevelopmentExpenses"),
            selling_general_admin=r.get("sellingGeneralAndAdministrativeExpenses"),
            operating_income=r.get("operatingIncome"), ebitda=r.get("ebitda"),
            interest_expense=r.get("interestExpense"), pretax_income=r.get("incomeBeforeTax"),
            income_tax=r.get("incomeTaxExpense"), net_income=r.get("netIncome"), eps_basic=r.get("eps"),
            eps_diluted=r.get("epsdiluted"), shares_diluted=r.get("weightedAverageShsOutDil"), source=SOURCE)
            for r in rows]

    async def balance_sheets(self, symbol: str, limit: int = 5) -> list[BalanceSheet]:
        sym = _sym(symbol)
        rows = await self._rows(f"balance-sheet-statement/{sym}", sym, {"limit": _limit(limit, 5)})
        return [self._parse(
            BalanceSheet, "balance-sheet-statement", symbol=sym, fiscal_date=r.get("date"),
            total_assets=r.get("totalAssets"), total_liabilities=r.get("totalLiabilities"),
            equity=r.get("totalStockholdersEquity"), current_assets=r.get("totalCurrentAssets"),
            current_liabilities=r.get("totalCurrentLiabilities"), cash=r.get("cashAndCashEquivalents"),
            cash_and_short_term_investments=r.get("cashAndShortTermInvestments"),
            receivables=r.get("netReceivables"), inventory=r.get("inventory"), goodwill=r.get("goodwill"),
            total_debt=r.get("totalDebt"), long_term_debt=r.get("longTermDebt"), net_debt=r.get("netDebt"),
            retained_earnings=r.get("retainedEarnings"), source=SOURCE) for r in rows]

    async def cash_flows(self, symbol: str, limit: int = 5) -> list[CashFlow]:
        sym = _sym(symbol)
        rows = await self._rows(f"cash-flow-statement/{sym}", sym, {"limit": _limit(limit, 5)})
        return [self._parse(
            CashFlow, "cash-flow-statement", symbol=sym, fiscal_date=r.get("date"),
            operating_cash_flow=_first(r, "operatingCashFlow", "netCashProvidedByOperatingActivities"),
            capex=r.get("capitalExpenditure"), free_cash_flow=r.get("freeCashFlow"),
            investing_cash_flow=_first(r, "netCashUsedForInvestingActivites", "netCashUsedForInvestingActivities"),
            financing_cash_flow=r.get("netCashUsedProvidedByFinancingActivities"),
            depreciation_and_amortization=r.get("depreciationAndAmortization"),
            stock_based_compensation=r.get("stockBasedCompensation"), dividends_paid=r.get("dividendsPaid"),
            share_repurchases=r.get("commonStockRepurchased"), source=SOURCE) for r in rows]

    async def historical_prices(
        self, symbol: str, start: date | None = None, end: date | None = None, last_n_days: int | None = None
    ) -> list[PriceBar]:
        sym = _sym(symbol)
        if start and end and start > end:
            raise ToolError(f"start date {start} is after end date {end}", kind="invalid_arguments")
        if start is None:
            end = end or _today()
            start = end - timedelta(days=(last_n_days or 30) - 1)
        data = await self._get(f"historical-price-full/{sym}",
                               {"from": start.isoformat(), "to": end.isoformat() if end else None})
        if data in ({}, []):
            raise UnknownSymbolError(f"Financial Modeling Prep has no price data for {sym!r}")
        if not isinstance(data, dict) or not isinstance(data.get("historical"), list):
            raise MalformedReplyError("FMP historical-price-full: expected an object with `historical`")
        if not data["historical"]:
            raise DataUnavailableError(f"no prices for {sym} between {start} and {end or 'today'}")
        bars = [self._parse(PriceBar, "historical-price-full", date=r.get("date"), open=r.get("open"),
                            high=r.get("high"), low=r.get("low"), close=r.get("close"),
                            adj_close=r.get("adjClose"), volume=_int(r.get("volume")))
                for r in data["historical"] if isinstance(r, dict)]
        return sorted(bars, key=lambda b: b.date)

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
        data = await self._get("stock-screener", {
            "sector": fmp_sector, "industry": industry or None, "marketCapMoreThan": 1_000_000_000,
            "isEtf": "false", "isFund": "false", "isActivelyTrading": "true", "limit": max(n * 3, 30)})
        if not isinstance(data, list):
            raise MalformedReplyError("FMP stock-screener: expected a list")
        rows = sorted((r for r in data if isinstance(r, dict) and r.get("symbol")),
                      key=lambda r: -(r.get("marketCap") or 0))[:n]
        if not rows:
            raise DataUnavailableError(f"the FMP screener found no companies for sector={sector!r} "
                                       f"industry={industry!r}")
        for r in rows:
            self._remember(r.get("symbol"), r.get("companyName"))
        return [self._parse(CompanyRank, "stock-screener", rank=i, symbol=r["symbol"], name=r.get("companyName"),
                            sector=_gics(r.get("sector")), industry=r.get("industry") or None,
                            market_cap=r.get("marketCap"), market_cap_as_of=_today())
                for i, r in enumerate(rows, 1)]

    async def find_symbol(self, query: str, limit: int = 5) -> list[SymbolMatch]:
        if not query.strip():
            raise ToolError("query is empty", kind="invalid_arguments")
        data = await self._get("search", {"query": query.strip(), "limit": _limit(limit, 5)})
        if not isinstance(data, list):
            raise MalformedReplyError("FMP search: expected a list")
        out = [self._parse(SymbolMatch, "search", symbol=r.get("symbol"), name=r.get("name"),
                           exchange=r.get("exchangeShortName") or r.get("stockExchange"))
               for r in data if isinstance(r, dict)][: _limit(limit, 5)]
        for m in out:
            self._remember(m.symbol, m.name)
        return out

    async def peers(self, symbol: str, limit: int = 5) -> list[CompanyRank]:
        sym = _sym(symbol)
        data = await self._get("stock_peers", {"symbol": sym}, v4=True)
        if not isinstance(data, list):
            raise MalformedReplyError("FMP stock_peers: expected a list")
        if not data:
            raise UnknownSymbolError(f"Financial Modeling Prep has no peers for {sym!r}")
        peers = [p for p in (data[0].get("peersList") or []) if isinstance(p, str) and p != sym]
        if not peers:
            return []
        quotes = await self._get(f"quote/{','.join(peers[:25])}")
        quotes = [q for q in quotes if isinstance(q, dict) and q.get("symbol")] if isinstance(quotes, list) else []
        quotes.sort(key=lambda q: -(q.get("marketCap") or 0))
        return [self._parse(CompanyRank, "quote", rank=i, symbol=q["symbol"], name=q.get("name"),
                            market_cap=q.get("marketCap"), market_cap_as_of=_today())
                for i, q in enumerate(quotes[: _limit(limit, 5)], 1)]

    def _remember(self, symbol: Any, name: Any) -> None:
        if isinstance(symbol, str) and isinstance(name, str) and name:
            self._names[symbol] = name


class _Retryable5xx(Exception):
    """Internal: a 5xx worth retrying; becomes `UpstreamError` once the attempts are spent."""


_INVALID = object()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _sym(symbol: str) -> str:
    return symbol.strip().lstrip("$").strip().upper()


def _limit(limit: int | None, default: int) -> int:
    return max(1, min(int(limit or default), 50))


def _int(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _first(row: dict[str, Any], *keys: str) -> Any:
    return next((row[k] for k in keys if row.get(k) is not None), None)


def _gics(sector: Any) -> str | None:
    if not sector:
        return None
    try:
        return normalize_sector(str(sector))
    except ValueError:
        return str(sector)


def _today() -> date:
    return datetime.now(timezone.utc).date()


assert set(GICS_TO_FMP) <= set(SECTORS)
