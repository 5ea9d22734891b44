"""Running tools inside one agent run: validation, events, per-run cache, typed failures."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel

from ._errors import ToolError, UnknownToolError
from ._events import ToolCallFinished, ToolCallStarted
from ._tool import Tool

Executor = Callable[[Tool, BaseModel], Awaitable[Any]]
"""Runs a tool with validated arguments and returns its JSON-ready result (the replay seam)."""

Gate = Callable[[Tool, dict[str, Any]], Awaitable[Union[str, None]]]
"""Asked before a call runs (not for a cached one), with the tool and its validated JSON arguments:
None lets it run, a text refuses it (the call fails with kind `denied` and that text); raising stops
the caller (a paused turn, a usage limit)."""


async def execute_and_dump(tool: Tool, args: BaseModel) -> Any:
    """The default executor: really run the tool."""
    return tool.dump(await tool.execute(args))


@dataclass(slots=True)
class ToolResult:
    """What a call produced: `value` (JSON-ready) when `ok`, else `error` and `error_kind`."""

    tool: str
    arguments: dict[str, Any]
    ok: bool
    value: Any = None
    error: str | None = None
    error_kind: str | None = None

    def to_text(self, limit: int | None = None) -> str:
        """The result as the model reads it (JSON), shortened with a visible marker if over `limit`."""
        body = {"result": self.value} if self.ok else {"error": self.error, "kind": self.error_kind}
        text = json.dumps(body, default=str, separators=(",", ":"))
        return shorten(text, limit) if limit else text


def shorten(text: str, limit: int) -> str:
    """Cut `text` to about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    keep = max(limit - 60, 0)
    return f"{text[:keep]} ...[shortened: {len(text) - keep} of {len(text)} characters left out]"


class ToolRunner:
    """Calls tools for one run. Identical calls (same tool, same validated arguments) run once."""

    _ids = itertools.count(1)

    def __init__(
        self,
        tools: dict[str, Tool] | list[Tool] | None = None,
        *,
        emit: Callable[[Any], None] | None = None,
        executor: Executor | None = None,
        gate: Gate | None = None,
    ):
        if isinstance(tools, list):
            tools = {t.name: t for t in tools}
        self.tools: dict[str, Tool] = dict(tools or {})
        self.emit = emit or (lambda event: None)
        self.executor = executor or execute_and_dump
        self.gate = gate
        self._cache: dict[tuple[str, str], asyncio.Future[Any]] = {}

    async def call(self, tool: Tool | str, arguments: Any = None, *, orchestration: str | None = None) -> ToolResult:
        """Validate, run (or reuse) and report one call. Never raises for a tool failure."""
        name = tool if isinstance(tool, str) else tool.name
        raw = arguments if isinstance(arguments, dict) else {}
        call_id = f"t{next(self._ids)}"
        start = time.perf_counter()
        try:
            t = self._resolve(tool)
            args = t.validate(arguments)
            dumped = args.model_dump(mode="json")
        except ToolError as e:
            self.emit(ToolCallStarted(call_id, name, raw, start, orchestration))
            return self._finish(call_id, name, raw, start, orchestration, e)
        key = (name, json.dumps(dumped, sort_keys=True, default=str))
        if self.gate is not None and not (t.cacheable and key in self._cache):
            refusal = await self.gate(t, dumped)
            if refusal is not None:
                self.emit(ToolCallStarted(call_id, name, dumped, start, orchestration))
                return self._finish(call_id, name, dumped, start, orchestration, ToolError(refusal, kind="denied"))
        self.emit(ToolCallStarted(call_id, name, dumped, start, orchestration))
        cached = t.cacheable and key in self._cache
        if not cached:
            future: asyncio.Future[Any] = asyncio.ensure_future(self.executor(t, args))
            if t.cacheable:
                self._cache[key] = future
        else:
            future = self._cache[key]
        try:
            value = await asyncio.shield(future)
        except Exception as e:  # noqa: BLE001 - every failure becomes a result the model reads
            if not cached:
                self._cache.pop(key, None)  # a failure is not memoised: a later identical call retries
            return self._finish(call_id, name, dumped, start, orchestration, e, cached=cached)
        self.emit(ToolCallFinished(call_id, name, dumped, start, time.perf_counter(), True, None, cached, orchestration, value))
        return ToolResult(name, dumped, True, value)

    def seed(self, tool: str, arguments: dict[str, Any], value: Any) -> None:
        """Reuse a result obtained earlier (a resumed turn): an identical call returns it without running."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        future.set_result(value)
        self._cache[(tool, json.dumps(arguments, sort_keys=True, default=str))] = future

    def _resolve(self, tool: Tool | str) -> Tool:
        if isinstance(tool, Tool):
            return tool
        if tool not in self.tools:
            known = ", ".join(sorted(self.tools)) or "none"
            raise UnknownToolError(f"unknown tool {tool!r}; available: {known}")
        return self.tools[tool]

    def _finish(self, call_id, name, args, start, orchestration, exc, cached=False) -> ToolResult:
        kind = getattr(exc, "kind", None) or "exception"
        message = str(exc) if isinstance(exc, ToolError) else f"{type(exc).__name__}: {exc}"
        self.emit(ToolCallFinished(call_id, name, args, start, time.perf_counter(), False, message, cached, orchestration))
        return ToolResult(name, args, False, error=message, error_kind=kind)
