"""A small MCP server written with the `mcp` SDK's own server API, started over stdio by tests/tools/test_mcp.py.

Tools: `fx_rate` (fixed reference rates; an unknown currency is a tool error), `convert`,
`nap` (sleeps: for timeouts), `nap_once` (sleeps only on its first call: for retries),
`call_count` (how many calls each tool has had in this process: for the per-run cache).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

RATES_TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.26, "JPY": 0.0067, "CHF": 1.12}

server = MCPServer("fx-test-server", instructions="Reference FX rates for tests.")
calls: Counter[str] = Counter()


@server.tool()
def fx_rate(base: Annotated[str, Field(description="ISO currency code, e.g. EUR")],
            quote: Annotated[str, Field(description="ISO currency code, e.g. USD")] = "USD") -> dict:
    """Reference exchange rate: how many `quote` units one `base` unit buys."""
    calls["fx_rate"] += 1
    for code in (base, quote):
        if code.upper() not in RATES_TO_USD:
            raise ToolError(f"unknown currency {code!r}; known: {', '.join(RATES_TO_USD)}")
    rate = RATES_TO_USD[base.upper()] / RATES_TO_USD[quote.upper()]
    return {"base": base.upper(), "quote": quote.upper(), "rate": round(rate, 6)}


@server.tool()
def convert(amount: float, rate: float, digits: int = 2) -> float:
    """Multiply an amount by an exchange rate, rounded to `digits` decimals."""
    calls["convert"] += 1
    return round(amount * rate, digits)


@server.tool()
async def nap(seconds: Annotated[float, Field(ge=0, le=60)]) -> str:
    """Sleep for `seconds`, then say so."""
    calls["nap"] += 1
    await asyncio.sleep(seconds)
    return f"slept {seconds:g}s"


@server.tool()
async def nap_once(seconds: float) -> str:
    """Sleep for `seconds` on the first call only; later calls answer at once."""
    calls["nap_once"] += 1
    if calls["nap_once"] == 1:
        await asyncio.sleep(seconds)
    return f"answered on call {calls['nap_once']}"


@server.tool()
def call_count() -> dict[str, int]:
    """How many times each tool has been called in this server process."""
    return dict(calls)


if __name__ == "__main__":
    server.run()
