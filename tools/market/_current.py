"""Which data provider the market tools use: a ContextVar, defaulting to one per-process provider."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextvars import ContextVar, Token
from datetime import date

from ._provider import DataProvider

PROVIDERS = ("snapshot", "fmp")
_active: ContextVar[DataProvider | None] = ContextVar("finagent_data_provider", default=None)
_default: DataProvider | None = None
_default_lock = threading.Lock()


def make_provider(name: str, as_of: date | str | None = None) -> DataProvider:
    """A new provider for the CLI flag `--data snapshot|fmp`, reading the data as of `as_of`
    (`--as-of`; default: env FINAGENT_AS_OF, else the latest date the data has)."""
    key = (name or "snapshot").strip().lower()
    as_of = as_of or os.environ.get("FINAGENT_AS_OF") or None
    if key == "snapshot":
        from ._snapshot import SnapshotProvider

        return SnapshotProvider(as_of=as_of)
    if key == "fmp":
        from ._fmp import FMPProvider

        return FMPProvider(as_of=as_of)
    raise ValueError(f"unknown data provider {name!r}; choose one of: {', '.join(PROVIDERS)}")


def current_provider() -> DataProvider:
    """The provider set by `use_provider`, else the process-wide default (env FINAGENT_DATA, default
    `snapshot`), created on first use."""
    provider = _active.get()
    if provider is not None:
        return provider
    global _default
    with _default_lock:
        if _default is None:
            _default = make_provider(os.environ.get("FINAGENT_DATA", "snapshot"))
        return _default


class use_provider:
    """Make `provider` the active one in this context (and tasks created from it).

    As a context manager, the previous provider is restored on exit:
        with use_provider(FMPProvider()): ...
    Called without `with`, it simply sets the provider for the current task/context.
    """

    def __init__(self, provider: DataProvider):
        self.provider = provider
        self._token: Token[DataProvider | None] | None = _active.set(provider)

    def __enter__(self) -> DataProvider:
        return self.provider

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _active.reset(self._token)
            self._token = None


def set_default_provider(provider: DataProvider | None) -> None:
    """Replace the process-wide default (None: choose again from FINAGENT_DATA on next use)."""
    global _default
    with _default_lock:
        _default = provider


@contextlib.contextmanager
def use_data(name: str | None, as_of: date | str | None = None) -> Iterator[None]:
    """The CLI's `--data snapshot|fmp` and `--as-of DATE`: that provider while open; with neither,
    the current one is kept (with only `as_of`, the default kind of provider, read as of that date)."""
    if not name and not as_of:
        yield
        return
    with use_provider(make_provider(name or os.environ.get("FINAGENT_DATA", "snapshot"), as_of)):
        yield


def data_as_of(provider: DataProvider | None = None) -> date:
    """The date the (current) provider reads its data as of: its `as_of`, else today (live data)."""
    value = getattr(provider or current_provider(), "as_of", None)
    return value if isinstance(value, date) else date.today()
