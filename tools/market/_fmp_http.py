"""`FMPClient`: GET requests to Financial Modeling Prep's stable API, with retries and typed errors.

The stable API (https://site.financialmodelingprep.com/developer/docs) takes every argument,
the symbol included, as a query parameter: `GET {base}/quote?symbol=AAPL&apikey=...`. FMP
retired its legacy path-style API for keys issued after 2025-08-31 (they get HTTP 403
"Legacy Endpoint"), so nothing here speaks it.

The API key travels in the query string (`apikey=`), so no URL with its query ever goes into an
exception, repr or log line: errors name the endpoint only, httpx's own errors are never
chained, upstream messages are redacted, and a logging filter redacts `apikey=` in httpx/httpcore
log records.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import httpx

from core import Redactor, retry_after_seconds, retrying
from tools._errors import ToolError

from ._provider import (
    DataAuthError,
    MalformedReplyError,
    PlanLimitError,
    RateLimitedError,
    UnknownSymbolError,
    UpstreamError,
)

__all__ = ["DEFAULT_BASE_URL", "FMPClient"]

DEFAULT_BASE_URL = "https://financialmodelingprep.com/stable"
PRICING_URL = "https://site.financialmodelingprep.com/developer/docs/pricing"
_NO_KEY = ("no Financial Modeling Prep API key: set the FMP_API_KEY environment variable "
           "(or use the offline snapshot with `--data snapshot`)")


class _RedactKeys(logging.Filter):
    """Redacts `apikey=...` (and any key value) in httpx/httpcore log records."""

    redactor = Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self.redactor.text(a) if isinstance(a, str) else
                                self.redactor.text(str(a)) if "apikey=" in str(a).lower() else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = self.redactor.text(record.msg)
        return True


_REDACT = _RedactKeys()
for _name in ("httpx", "httpcore"):
    if _REDACT not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_REDACT)


class FMPClient:
    """One pooled `httpx.AsyncClient`; bounded retries (with back-off) on 429 and 5xx only."""

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 10,
        client: httpx.AsyncClient | None = None,
        *,
        attempts: int = 3,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
    ):
        self._key = api_key if api_key is not None else os.environ.get("FMP_API_KEY", "")
        self.base_url = (base_url or os.environ.get("FMP_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff, self.max_backoff = backoff, max_backoff
        self._redactor = Redactor(secrets=[self._key])
        self._client = client
        self._owns_client = client is None

    @property
    def has_key(self) -> bool:
        return bool(self._key)

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, limits=httpx.Limits(max_connections=10))
        return self._client

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def redact(self, text: str) -> str:
        return self._redactor.text(text)

    async def get(self, endpoint: str, params: dict[str, Any] | None = None) -> Any:
        """The parsed JSON of `GET {base}/{endpoint}?{params}&apikey=...`, or a typed `ToolError`."""
        if not self._key:
            raise DataAuthError(_NO_KEY)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        policy = retrying(attempts=self.attempts, retry_if=lambda e: isinstance(e, (RateLimitedError, _Retryable5xx)),
                          backoff=self.backoff, max_backoff=self.max_backoff)
        try:
            async for attempt in policy:
                with attempt:
                    return await self._once(endpoint, {**query, "apikey": self._key})
        except _Retryable5xx as e:
            raise UpstreamError(str(e)) from None
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, endpoint: str, query: dict[str, Any]) -> Any:
        where = f"FMP {endpoint}"
        failure: ToolError | None = None
        try:
            response = await self._http().get(f"{self.base_url}/{endpoint}", params=query, timeout=self.timeout)
        except httpx.TimeoutException:
            failure = UpstreamError(f"{where}: no reply within {self.timeout:g}s (timeout)")
        except httpx.HTTPError as e:
            failure = UpstreamError(f"{where}: connection failed ({type(e).__name__})")
        if failure is not None:  # raised outside `except`, so no httpx error (URL + key) is chained
            raise failure
        status, text = response.status_code, response.text
        if status == 429:
            raise RateLimitedError(f"{where}: rate limited by Financial Modeling Prep (HTTP 429); wait a minute "
                                   f"and retry, or check the plan's request limits. {self._message(text)}".strip(),
                                   retry_after=retry_after_seconds(response.headers.get("Retry-After")))
        if status >= 500:
            raise _Retryable5xx(f"{where}: upstream error (HTTP {status})")
        if status in (401, 402, 403):
            raise self._refusal(where, f"HTTP {status}", self._message(text), plan=status != 401)
        if status == 404:
            raise UnknownSymbolError(f"{where}: not found (HTTP 404)")
        if status >= 400:
            raise UpstreamError(f"{where}: HTTP {status}. {self._message(text)}".strip(), transient=False)
        try:
            data = json.loads(text)
        except ValueError:
            raise MalformedReplyError(f"{where}: the reply is not valid JSON") from None
        if isinstance(data, dict) and "Error Message" in data:  # FMP also reports refusals with HTTP 200
            message = self._message(text)
            lowered = message.lower()
            if "limit reach" in lowered:
                raise RateLimitedError(f"{where}: {message}", retry_after=None)
            if "api key" in lowered or any(w in lowered for w in ("premium", "subscription", "legacy", "plan")):
                raise self._refusal(where, "HTTP 200", message, plan="api key" not in lowered)
            raise UpstreamError(f"{where}: {message}", transient=False)
        return data

    def _refusal(self, where: str, status: str, message: str, *, plan: bool) -> DataAuthError:
        """One line saying what to do: a key FMP does not know, or a plan that lacks this request."""
        said = f" ({status}: {message})" if message else f" ({status})"
        if not plan or "invalid api key" in message.lower():
            return DataAuthError(f"{where}: Financial Modeling Prep rejected the API key{said}; check the "
                                 f"FMP_API_KEY environment variable")
        if "legacy" in message.lower():
            return PlanLimitError(f"{where}: this is a legacy FMP endpoint that new keys cannot use{said}; "
                                  f"unset FMP_BASE_URL (the default is {DEFAULT_BASE_URL})")
        lowered = message.lower()
        ask = ("ask for fewer years (FMP's free plan serves at most 5)" if "'limit'" in lowered
               else "pick a symbol your plan covers" if "'symbol'" in lowered else "ask for less")
        return PlanLimitError(f"{where}: your Financial Modeling Prep plan does not include this request{said}; "
                              f"upgrade at {PRICING_URL}, {ask}, or use the offline snapshot with `--data snapshot`")

    def _message(self, text: str) -> str:
        """FMP's own explanation (JSON `Error Message`/`message`, or plain text), redacted, on one line."""
        try:
            data = json.loads(text)
        except ValueError:
            data = text if text.strip() and not text.lstrip().startswith("<") else None
        if isinstance(data, dict):
            data = data.get("Error Message") or data.get("message") or data.get("error")
        if not isinstance(data, str) or not data.strip():
            return ""
        return " ".join(self.redact(data).split())[:200]


class _Retryable5xx(Exception):
    """Internal: a 5xx worth retrying; becomes `UpstreamError` once the attempts are spent."""
