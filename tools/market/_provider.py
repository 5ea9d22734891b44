"""The data-provider protocol behind the market tools, and its typed errors."""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

from tools._errors import ToolError

from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch


class UnknownSymbolError(ToolError):
    """The provider has no data for this ticker."""

    kind = "unknown_symbol"
    transient = False


class DataAuthError(ToolError):
    """Missing or rejected API key."""

    kind = "bad_key"
    transient = False


class PlanLimitError(DataAuthError):
    """The key works, but the provider's plan does not include this request (e.g. FMP HTTP 402/403)."""

    kind = "not_in_plan"
    transient = False


class RateLimitedError(ToolError):
    """The upstream API said to slow down (HTTP 429)."""

    kind = "rate_limited"
    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(ToolError):
    """The upstream API failed (5xx, timeout, connection error)."""

    kind = "upstream_error"
    transient = True


class MalformedReplyError(ToolError):
    """The upstream reply could not be read (invalid JSON or unexpected shape)."""

    kind = "malformed_reply"
    transient = False


@runtime_checkable
class DataProvider(Protocol):
    """Where the market tools get their data: the offline snapshot or a live API."""

    name: str

    async def quote(self, symbol: str) -> Quote: ...

    async def profile(self, symbol: str) -> CompanyProfile: ...

    async def income_statements(self, symbol: str, limit: int = 5) -> list[IncomeStatement]: ...

    async def balance_sheets(self, symbol: str, limit: int = 5) -> list[BalanceSheet]: ...

    async def cash_flows(self, symbol: str, limit: int = 5) -> list[CashFlow]: ...

    async def historical_prices(
        self, symbol: str, start: date | None = None, end: date | None = None, last_n_days: int | None = None
    ) -> list[PriceBar]: ...

    async def top_companies(
        self, sector: str | None = None, industry: str | None = None, limit: int = 10
    ) -> list[CompanyRank]: ...

    async def find_symbol(self, query: str, limit: int = 5) -> list[SymbolMatch]: ...

    async def peers(self, symbol: str, limit: int = 5) -> list[CompanyRank]: ...

    def symbols(self) -> frozenset[str] | None:
        """Every ticker the provider knows, or None when it is open-ended (a live API)."""
        ...

    def company_names(self) -> dict[str, str]:
        """Ticker -> company name, for grounding answers (may be empty for live providers)."""
        ...

    async def aclose(self) -> None: ...


class DataUnavailableError(ToolError):
    """The ticker is known, but the provider has no data of the kind (or in the range) asked for."""

    kind = "no_data"
    transient = False
