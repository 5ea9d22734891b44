"""The shipped finance domain: market tools, the seven orchestrations, query grounding."""

from __future__ import annotations

import contextlib


def load_defaults() -> None:
    """Import the market tools and financial orchestrations so that they register."""
    for module in ("tools.market", "orchestrations.finance"):
        with contextlib.suppress(ModuleNotFoundError):  # TODO: plain imports once both packages land
            __import__(module)


def ground_query(query: str) -> dict[str, dict[str, list[str]]]:
    """Allowed values per orchestration argument for this query (tickers it names, ...)."""
    try:
        from orchestrations.grounding import ground_query as ground
    except ModuleNotFoundError:
        return {}
    return ground(query)
