"""What a data step sees: tool calls that are recorded, bounded and run concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, overload

from tools import Tool, ToolResult, ToolRunner

T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")
DEFAULT_MAX_CONCURRENCY = 32
"""Tool calls in flight at once per run: enough for a 10-company fan-out at one level."""


class RunContext:
    """Gives an orchestration's data step its tools.

    `fetch` returns a tool's value (or None, noting what is missing); `gather` runs independent
    calls concurrently, at most `max_concurrency` tool calls at a time across the whole run.
    """

    def __init__(
        self,
        runner: ToolRunner,
        *,
        orchestration: str | None = None,
        llm: Any = None,
        semaphore: asyncio.Semaphore | None = None,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    ):
        self.runner = runner
        self.orchestration = orchestration
        self.llm = llm
        self.semaphore = semaphore or asyncio.Semaphore(max_concurrency)
        self.missing: list[str] = []
        self.results: list[ToolResult] = []

    def child(self, orchestration: str) -> RunContext:
        """A context for one orchestration sharing this run's runner, cache and concurrency bound."""
        return RunContext(self.runner, orchestration=orchestration, llm=self.llm, semaphore=self.semaphore)

    async def call(self, tool: Tool | str, /, **arguments: Any) -> ToolResult:
        """Run one tool call; a failure is returned (and noted in `missing`), never raised."""
        async with self.semaphore:
            result = await self.runner.call(tool, arguments, orchestration=self.orchestration)
        self.results.append(result)
        if not result.ok:
            args = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
            self.missing.append(f"{result.tool}({args}): {result.error}")
        return result

    @overload
    async def fetch(self, tool: Tool[R], /, **arguments: Any) -> R | None: ...
    @overload
    async def fetch(self, tool: str, /, **arguments: Any) -> Any: ...
    async def fetch(self, tool: Tool[Any] | str, /, **arguments: Any) -> Any:
        """The tool's value, or None if the call failed (noted in `missing`).

        Given the `Tool`, the value is its typed return value (`Tool[R]` -> `R`); given a name, the
        JSON-ready value the runner carries.
        """
        result = await self.call(tool, **arguments)
        if not result.ok:
            return None
        return tool.load(result.value) if isinstance(tool, Tool) else result.value

    @overload
    @staticmethod
    async def gather(a: Awaitable[A], b: Awaitable[B], /) -> tuple[A, B]: ...
    @overload
    @staticmethod
    async def gather(a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], /) -> tuple[A, B, C]: ...
    @overload
    @staticmethod
    async def gather(a: Awaitable[A], b: Awaitable[B], c: Awaitable[C], d: Awaitable[D], /) -> tuple[A, B, C, D]: ...
    @overload
    @staticmethod
    async def gather(*steps: Awaitable[T]) -> list[T]: ...
    @staticmethod
    async def gather(*steps: Awaitable[Any]) -> Any:
        """Await independent steps concurrently; their results in order (typed per step for up to four)."""
        return list(await asyncio.gather(*steps))
