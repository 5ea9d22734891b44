"""`MCPTools`: a live session with one MCP server (stdio command or streamable-HTTP URL) and its tools.

    async with MCPTools.stdio("python", ["weather_server.py"]) as weather:
        agent = Agent(llm, tools=[*registered_tools().values(), *weather])   # or register=True
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TextIO

import anyio
import mcp.types as types
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from tools._errors import ToolError
from tools._registry import register as register_tools
from tools._registry import registered_tools, unregister
from tools._tool import DEFAULT_TIMEOUT

from ._tool import MCPTool, tool_name

Transport = Callable[[], AbstractAsyncContextManager[Any]]
"""Opens the transport: an async context manager yielding (read_stream, write_stream)."""

_CLOSED = (anyio.ClosedResourceError, anyio.BrokenResourceError, anyio.EndOfStream)


def _root(error: BaseException) -> BaseException:
    """The first leaf of an exception group (task groups wrap a transport's failure in one)."""
    while isinstance(inner := getattr(error, "exceptions", None), (list, tuple)) and inner:  # 3.10: no builtin group
        error = inner[0]
    return error


class MCPTools:
    """The tools of one MCP server as finagent `Tool`s, for as long as the `async with` block lasts.

    `prefix` is prepended to every tool's name (to keep two servers' tools apart); `include` keeps only
    the named remote tools. `timeout`, `retries` and `cache` apply to every tool as they do to `@tool`
    functions. `register=True` adds the tools to the default registry (`tools.registered_tools()`) while
    the session is open, so an `Agent` or `finagent`'s orchestrations find them by name.
    `connect_timeout` bounds the handshake and the tool listing.
    """

    def __init__(
        self,
        transport: Transport,
        *,
        label: str,
        prefix: str = "",
        include: Sequence[str] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = 2,
        cache: bool = True,
        register: bool = False,
        connect_timeout: float = 30.0,
    ):
        self._transport = transport
        self.connect_timeout = connect_timeout
        self.label = label
        self.prefix = prefix
        self.include = set(include) if include is not None else None
        self.timeout, self.retries, self.cache = timeout, retries, cache
        self.register = register
        self.tools: dict[str, MCPTool] = {}
        self.server_info: types.Implementation | None = None
        self.instructions: str | None = None
        self._session: ClientSession | None = None
        self._stack: contextlib.AsyncExitStack | None = None
        self._registered: list[str] = []

    def __repr__(self) -> str:
        return f"MCPTools({self.label!r}, tools={list(self.tools)})"

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def stdio(
        cls,
        command: str,
        args: Sequence[str] = (),
        *,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
        errlog: TextIO | None = None,
        **options: Any,
    ) -> MCPTools:
        """A server started as a subprocess speaking MCP on its stdin/stdout. `env` is added to the
        SDK's small safe default environment (HOME, PATH, ...), not to this process's environment."""
        params = StdioServerParameters(command=command, args=list(args), env=env, cwd=cwd)
        return cls(lambda: stdio_client(params, errlog=errlog or sys.stderr), label=f"stdio:{command}", **options)

    @classmethod
    def http(cls, url: str, *, headers: dict[str, str] | None = None, api_key: str | None = None, **options: Any) -> MCPTools:
        """A server at a streamable-HTTP endpoint (e.g. `http://127.0.0.1:8765/mcp`); `api_key` is sent
        as `Authorization: Bearer <key>` (and never shown in a repr or error)."""
        sent = dict(headers or {})
        if api_key:
            sent["Authorization"] = f"Bearer {api_key}"

        @contextlib.asynccontextmanager
        async def connect() -> AsyncIterator[Any]:
            import httpx2  # the HTTP client the SDK's transport takes

            timeout = httpx2.Timeout(30.0, read=300.0)
            async with httpx2.AsyncClient(headers=sent, timeout=timeout) as client:
                async with streamable_http_client(url, http_client=client) as streams:
                    yield streams

        return cls(connect, label=url, **options)

    # -- session lifetime -----------------------------------------------------------------------
    async def __aenter__(self) -> MCPTools:
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            read, write = await stack.enter_async_context(self._transport())
            self._session = await stack.enter_async_context(ClientSession(read, write))
            with anyio.fail_after(self.connect_timeout):  # around the requests only: the streams' task groups stay outside
                init = await self._session.initialize()
                self.server_info, self.instructions = init.server_info, init.instructions
                await self.refresh()
        except BaseException as e:
            self._session = None
            failure: BaseException = e
            try:
                await stack.aclose()
            except BaseException as close_error:  # noqa: BLE001 - the transport's own failure says more
                failure = close_error
            root = _root(failure)
            if isinstance(e, TimeoutError):  # our fail_after: the server is up but silent
                raise ToolError(f"MCP server {self.label} did not answer within {self.connect_timeout:g}s",
                                kind="mcp_unavailable") from None
            if isinstance(root, ToolError):
                raise root from None
            if isinstance(root, Exception):
                raise ToolError(f"cannot connect to MCP server {self.label}: {type(root).__name__}: {root}",
                                kind="mcp_unavailable") from None
            raise
        self._stack = stack
        return self

    async def __aexit__(self, *exc: object) -> None:
        unregister(*self._registered)
        self._registered = []
        stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            await stack.aclose()

    async def refresh(self) -> dict[str, MCPTool]:
        """List the server's tools again (all pages) and rebuild the wrappers."""
        listed: list[types.Tool] = []
        cursor: str | None = None
        while True:
            page = await self.session.list_tools(params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
            listed += page.tools
            cursor = page.next_cursor
            if not cursor:
                break
        tools = {}
        for remote in listed:
            if self.include is not None and remote.name not in self.include:
                continue
            t = MCPTool(remote, self.call_tool, name=tool_name(remote.name, self.prefix), server=self.label,
                        timeout=self.timeout, retries=self.retries, cache=self.cache)
            tools[t.name] = t
        self.tools = tools
        if self.register:
            self._register()
        return tools

    def _register(self) -> None:
        unregister(*self._registered)
        taken = sorted(set(self.tools) & set(registered_tools()))
        if taken:
            raise ToolError(f"MCP server {self.label}: tool name(s) {', '.join(taken)} already registered; "
                            "pass a prefix= to keep them apart", kind="name_clash")
        register_tools(*self.tools.values())
        self._registered = list(self.tools)

    # -- calls -----------------------------------------------------------------------------------
    @property
    def session(self) -> ClientSession:
        if self._session is None:
            raise ToolError(f"the session with MCP server {self.label} is not open (use `async with`)",
                            kind="mcp_unavailable")
        return self._session

    async def call_tool(self, remote_name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Send one `tools/call`; protocol errors and a lost connection become `ToolError`s."""
        try:
            return await self.session.call_tool(remote_name, arguments)
        except MCPError as e:
            raise ToolError(f"{remote_name}: MCP server {self.label} answered with an error: {e}", kind="mcp_error") from None
        except _CLOSED:
            raise ToolError(f"{remote_name}: the connection to MCP server {self.label} is closed",
                            kind="mcp_unavailable") from None

    # -- the tools as a collection ---------------------------------------------------------------
    def __iter__(self) -> Iterator[MCPTool]:
        return iter(list(self.tools.values()))

    def __len__(self) -> int:
        return len(self.tools)

    def __getitem__(self, name: str) -> MCPTool:
        return self.tools[name]
