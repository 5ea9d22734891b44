"""`finagent mcp`: the catalog served over MCP (stdio, or streamable HTTP on 127.0.0.1).

    server = build_server(Catalog())           # an `mcp` low-level Server
    await serve_stdio(server)                  # or: uvicorn on http_app(server, api_key=...)

Each `tools/call` runs in its own `ToolRunner`; every atomic tool call it makes sends a progress
notification (when the client asked for progress with a progress token).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from typing import Any

import mcp.types as types
from mcp.server import Server
from mcp.server.stdio import stdio_server

from agent._serving import api_key_from, run_uvicorn
from tools import ToolCallFinished

from ._auth import exposure_warning, protect
from ._catalog import Catalog

log = logging.getLogger(__name__)

SERVER_NAME = "finagent"
PROGRESS_DRAIN_S = 5.0
"""How long a finished call waits for its progress notifications to go out."""
INSTRUCTIONS = (
    "Financial analysis tools. The orchestrations (e.g. financial_health_assessment, sector_analysis) run a "
    "whole analysis's data step and return computed tables, facts and missing-data notes; the atomic tools return "
    "one kind of market data. Data comes from an offline snapshot unless the server was started with --data fmp."
)


def build_server(catalog: Catalog, *, version: str = "") -> Server:
    """A low-level MCP server listing and running `catalog`'s tools."""

    async def list_tools(ctx, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult(tools=catalog.list_tools())

    async def call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        async with _progress(ctx) as emit:
            return await catalog.call(params.name, params.arguments, emit)

    return Server(SERVER_NAME, version=version or _version(), instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call_tool)


@contextlib.asynccontextmanager
async def _progress(ctx):
    """An `emit` for the ToolRunner: one progress notification per finished atomic tool call, in order.

    `emit` is synchronous (the runner calls it inline); a queue hands events to one sender task, which
    is drained before the result goes out, so every notification precedes the response.
    """
    queue: asyncio.Queue[ToolCallFinished | None] = asyncio.Queue()

    def emit(event: Any) -> None:
        if isinstance(event, ToolCallFinished):
            queue.put_nowait(event)

    async def send() -> None:
        done = 0
        while (event := await queue.get()) is not None:
            done += 1
            try:
                await ctx.session.report_progress(done, None, progress_message(event))
            except Exception as e:  # noqa: BLE001 - a lost notification must not fail the call
                log.debug("progress notification not sent: %s", e)

    sender = asyncio.ensure_future(send())
    try:
        yield emit
    finally:
        queue.put_nowait(None)
        try:  # wait_for cancels the sender if this times out or is itself cancelled
            await asyncio.wait_for(sender, PROGRESS_DRAIN_S)
        except asyncio.TimeoutError:
            log.debug("progress notifications still pending after %ss: dropped", PROGRESS_DRAIN_S)


def progress_message(event: ToolCallFinished) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in event.arguments.items() if v is not None)
    outcome = "ok" if event.ok else f"failed: {event.error}"
    cached = " (cached)" if event.cached else ""
    where = f"{event.orchestration}: " if event.orchestration else ""
    return f"{where}{event.tool}({args}) {outcome}{cached}"[:300]


async def serve_stdio(server: Server) -> None:
    """Serve one client over this process's stdin/stdout until it closes them."""
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())


def http_app(server: Server, *, host: str = "127.0.0.1", api_key: str | None = None):
    """The streamable-HTTP ASGI app (endpoint `/mcp`), behind the bearer key when one is given."""
    app = server.streamable_http_app(host=host)
    return protect(app, api_key) if api_key else app


def run_mcp(args: argparse.Namespace) -> int:
    """`finagent mcp [--http [--host H] [--port P] [--api-key K]] [--data snapshot|fmp]`."""
    from agent import load_defaults

    load_defaults()
    server = build_server(Catalog())
    if not getattr(args, "http", False):
        asyncio.run(_with_data(args.data, serve_stdio(server)))
        return 0
    return _run_http(server, args)


def _run_http(server: Server, args: argparse.Namespace) -> int:
    host, port = args.host, args.port
    api_key = api_key_from(args.api_key)
    warning = exposure_warning(host, api_key, what="the tools")
    if warning:
        log.warning(warning)
    app = http_app(server, host=host, api_key=api_key)
    guard = "bearer key required" if api_key else "no key"
    print(f"finagent mcp: streamable HTTP on http://{host}:{port}/mcp ({guard}; Ctrl-C stops)", file=sys.stderr, flush=True)
    return run_uvicorn(app, host, port, debug=bool(getattr(args, "debug", False)), around=lambda main: _with_data(args.data, main))


async def _with_data(name: str | None, main) -> None:
    """Run `main` with the data provider `name` (snapshot or fmp) active, if one was named."""
    if not name:
        return await main
    from tools.market import make_provider, use_provider

    with use_provider(make_provider(name)):
        return await main


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("finagent")
    except PackageNotFoundError:
        return "0"
