"""Market-data tools: nine small atomic tools over a swappable data provider.

The provider is the offline SQLite snapshot by default (`--data snapshot`, real data to 2023-10-27
for prices) or Financial Modeling Prep live (`--data fmp`, needs FMP_API_KEY). Importing this
package opens nothing; the snapshot is opened on first use.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from tools._registry import register
from tools._tool import tool

from ._current import current_provider, data_as_of, make_provider, set_default_provider, use_data, use_provider
from ._fmp import FMPProvider
from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch
from ._provider import (
    DataAuthError,
    DataProvider,
    DataUnavailableError,
    MalformedReplyError,
    PlanLimitError,
    RateLimitedError,
    UnknownSymbolError,
    UpstreamError,
)
from ._snapshot import SnapshotProvider
from .industries import (
    INDUSTRY_GROUPS,
    Member,
    find_groups,
    industry_members,
    is_sector,
    normalize_group,
    normalize_industry,
    sector_of,
    share_classes,
    sp500,
    sub_industries,
)
from .sectors import SECTORS, Sector, find_sectors, normalize_sector

TIMEOUT = 40.0  # FMP: up to 3 attempts of 10 s plus back-off; the snapshot answers in milliseconds
RETRIES = 1  # providers already retry rate limits and 5xx themselves


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _sector(value: Any) -> Any:
    return normalize_sector(value) if isinstance(value, str) and value.strip() else (value or None)


Symbol = Annotated[str, BeforeValidator(_upper), Field(min_length=1, max_length=12, description="Ticker, e.g. AAPL")]
SectorName = Annotated[Sector, BeforeValidator(_sector), Field(description="GICS sector")]
"""A GICS sector argument that also accepts everyday words ("banking" -> Financials)."""
def _group(value: Any) -> Any:
    return normalize_group(value) if isinstance(value, str) and value.strip() else value


SectorOrIndustry = Annotated[str, BeforeValidator(_group), Field(
    description="GICS sector (e.g. Energy, Financials) or industry (e.g. Semiconductors, Banks, Oil & Gas)")]
"""A sector or an industry group: "semiconductors" -> Semiconductors, "banking" -> Financials."""
Limit5 = Annotated[int, Field(ge=1, le=50, description="How many records to return")]


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_stock_price(symbol: Symbol) -> Quote:
    """Latest price quote for a ticker: price, volume, 50/200-day averages, EPS, P/E, market cap, with its date."""
    return await current_provider().quote(symbol)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_company_profile(symbol: Symbol) -> CompanyProfile:
    """Company profile: name, GICS sector, industry, website, beta, market cap, business description."""
    return await current_provider().profile(symbol)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_income_statement(symbol: Symbol, limit: Limit5 = 5) -> list[IncomeStatement]:
    """Annual income statements, newest first: revenue, gross profit, operating income, net income, EPS."""
    return await current_provider().income_statements(symbol, limit)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_balance_sheet(symbol: Symbol, limit: Limit5 = 5) -> list[BalanceSheet]:
    """Annual balance sheets, newest first: assets, liabilities, equity, cash, debt, shares outstanding."""
    return await current_provider().balance_sheets(symbol, limit)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_cash_flow(symbol: Symbol, limit: Limit5 = 5) -> list[CashFlow]:
    """Annual cash-flow statements, newest first: operating cash flow, capex, free cash flow, dividends, buybacks."""
    return await current_provider().cash_flows(symbol, limit)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_historical_prices(
    symbol: Symbol,
    start_date: Annotated[date | None, Field(description="First day, YYYY-MM-DD")] = None,
    end_date: Annotated[date | None, Field(description="Last day, YYYY-MM-DD (default: latest available)")] = None,
    last_n_days: Annotated[int | None, Field(ge=1, le=3660, description="Calendar days back from end_date "
                                             "(used when start_date is not given; default 30)")] = None,
) -> list[PriceBar]:
    """Daily price bars (open, high, low, close, adjusted close, volume) for a date range, oldest first."""
    return await current_provider().historical_prices(symbol, start_date, end_date, last_n_days)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_top_companies(
    sector: Annotated[Sector | None, BeforeValidator(_sector), Field(description="GICS sector")] = None,
    industry: Annotated[str | None, Field(description="Industry words, e.g. Semiconductors, Banks")] = None,
    limit: Annotated[int, Field(ge=1, le=50, description="How many companies")] = 10,
) -> list[CompanyRank]:
    """Largest companies by market cap, optionally within a GICS sector and/or an industry."""
    return await current_provider().top_companies(sector, industry, limit)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def find_symbol(
    query: Annotated[str, Field(min_length=1, description="Company name or ticker, e.g. Apple")],
    limit: Limit5 = 5,
) -> list[SymbolMatch]:
    """Look up ticker symbols by company name (or part of a ticker)."""
    return await current_provider().find_symbol(query, limit)


@tool(timeout=TIMEOUT, retries=RETRIES)
async def get_peers(symbol: Symbol, limit: Limit5 = 5) -> list[CompanyRank]:
    """Comparable companies (same industry first, then same sector), largest market cap first."""
    return await current_provider().peers(symbol, limit)


MARKET_TOOLS = (
    get_stock_price, get_company_profile, get_income_statement, get_balance_sheet, get_cash_flow,
    get_historical_prices, get_top_companies, find_symbol, get_peers,
)
register(*MARKET_TOOLS)

__all__ = [
    # tools
    "get_stock_price", "get_company_profile", "get_income_statement", "get_balance_sheet", "get_cash_flow",
    "get_historical_prices", "get_top_companies", "find_symbol", "get_peers", "MARKET_TOOLS",
    # providers
    "DataProvider", "SnapshotProvider", "FMPProvider",
    "use_provider", "use_data", "current_provider", "make_provider", "set_default_provider", "data_as_of",
    # models
    "Quote", "CompanyProfile", "IncomeStatement", "BalanceSheet", "CashFlow", "PriceBar", "CompanyRank",
    "SymbolMatch",
    # errors
    "UnknownSymbolError", "DataAuthError", "RateLimitedError", "UpstreamError", "MalformedReplyError",
    "DataUnavailableError", "PlanLimitError",
    # argument types and sectors
    "Symbol", "SectorName", "Sector", "SECTORS", "normalize_sector", "find_sectors",
    # industries and the S&P 500 list
    "SectorOrIndustry", "INDUSTRY_GROUPS", "Member", "sp500", "share_classes", "sub_industries", "industry_members", "normalize_industry",
    "normalize_group", "is_sector", "sector_of", "find_groups",
]
