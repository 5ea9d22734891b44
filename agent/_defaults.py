"""The shipped finance domain: market tools, the seven orchestrations, query grounding."""

from __future__ import annotations


def load_defaults() -> None:
    """Import the market tools and financial orchestrations so that they register."""
    import orchestrations.finance  # noqa: F401
    import tools.market  # noqa: F401


def ground_query(query: str) -> dict[str, dict[str, list[str]]]:
    """Allowed values per orchestration argument for this query (tickers it names, ...)."""
    from orchestrations.grounding import ground_query as ground

    return ground(query)
