"""What `finagent mcp` offers: the orchestrations' data steps and the atomic tools, as MCP tools.

`Catalog.list_tools()` describes them (strict JSON input schemas, descriptions, output schemas);
`Catalog.call()` runs one and returns a `CallToolResult`: structured content plus readable text, or
`isError` with a clear message. It never raises for a bad call or a failing tool.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import mcp.types as types
from pydantic import TypeAdapter

from agent import telemetry
from agent._monitor import traced_executor
from orchestrations import Orchestration, OrchestrationData, RunContext, registered_orchestrations
from tools import Tool, ToolError, ToolRunner, registered_tools, shorten

log = logging.getLogger(__name__)

TEXT_LIMIT = 20_000
"""Characters of readable text per result; the structured content is always complete."""

ORCHESTRATION_OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The data step's outcome: computed tables, facts, and notes on data that was missing.",
    "properties": {
        "tables": {"type": "object", "description": "Tables by key: {title, columns, rows, note}."},
        "facts": {"type": "object", "description": "Other computed values the analysis uses."},
        "missing": {"type": "array", "items": {"type": "string"}, "description": "Data that could not be had, and why."},
    },
    "required": ["tables", "facts", "missing"],
    "additionalProperties": True,
}


class Catalog:
    """The orchestrations (data steps only: the MCP client is the model) and atomic tools offered."""

    def __init__(
        self,
        orchestrations: dict[str, type[Orchestration]] | None = None,
        tools: dict[str, Tool] | None = None,
    ):
        self.orchestrations = registered_orchestrations() if orchestrations is None else dict(orchestrations)
        self.tools = registered_tools() if tools is None else dict(tools)
        clash = sorted(set(self.orchestrations) & set(self.tools))
        if clash:
            raise ValueError(f"an orchestration and a tool share the name(s) {', '.join(clash)}")

    @property
    def names(self) -> list[str]:
        return [*self.orchestrations, *self.tools]

    def list_tools(self) -> list[types.Tool]:
        listed = [
            types.Tool(name=o.name, description=f"{o.description} Returns the computed tables, facts and missing-data notes.",
                       input_schema=o.parameters_schema(), output_schema=ORCHESTRATION_OUTPUT_SCHEMA,
                       annotations=types.ToolAnnotations(title=_title(o.name), read_only_hint=True))
            for o in self.orchestrations.values()
        ]
        listed += [
            types.Tool(name=t.name, description=t.description, input_schema=t.parameters,
                       output_schema=_result_schema(t), annotations=types.ToolAnnotations(title=_title(t.name)))
            for t in self.tools.values()
        ]
        return listed

    async def call(self, name: str, arguments: dict[str, Any] | None, emit: Callable[[Any], None] | None = None) -> types.CallToolResult:
        """Run one orchestration's data step or one atomic tool; every failure is an `isError` result."""
        runner = ToolRunner(self.tools, emit=emit, executor=traced_executor(None))
        kind = "orchestration" if name in self.orchestrations else "mcp_call"  # a tool's own span is under it
        with telemetry.tool_span(name, kind, arguments if isinstance(arguments, dict) else {}):
            return await self._call(name, arguments, runner)

    async def _call(self, name: str, arguments: dict[str, Any] | None, runner: ToolRunner) -> types.CallToolResult:
        try:
            if name in self.orchestrations:
                return await self._orchestration(self.orchestrations[name], arguments, runner)
            if name in self.tools:
                return await self._tool(name, arguments, runner)
            return error_result(f"unknown tool {name!r}; available: {', '.join(self.names)}")
        except ToolError as e:  # bad arguments: the message names the argument and the problem
            return error_result(str(e))
        except Exception as e:  # noqa: BLE001 - a broken data step is the caller's error result, never a crash
            log.warning("%s failed: %s: %s", name, type(e).__name__, e)
            return error_result(f"{name} failed: {type(e).__name__}: {e}")

    async def _orchestration(self, cls: type[Orchestration], arguments: Any, runner: ToolRunner) -> types.CallToolResult:
        params = cls.validate(arguments)
        data = await cls().run(params, RunContext(runner, orchestration=cls.name))
        body = json.loads(json.dumps(data.to_dict(), default=str))  # JSON-ready: dates and the like as text
        return types.CallToolResult(content=[_text(orchestration_text(cls.name, data, body))], structured_content=body)

    async def _tool(self, name: str, arguments: Any, runner: ToolRunner) -> types.CallToolResult:
        result = await runner.call(name, arguments)
        if not result.ok:
            error = (result.error or "").removeprefix(f"{name}: ")
            return error_result(f"{name} failed ({result.error_kind}): {error}")
        text = json.dumps(result.value, default=str, indent=1)
        return types.CallToolResult(content=[_text(shorten(text, TEXT_LIMIT))], structured_content={"result": result.value})


def orchestration_text(name: str, data: OrchestrationData, body: dict[str, Any]) -> str:
    """A readable summary of a data step: its tables in Markdown, findings and missing-data notes."""
    parts = [f"# {name}", data.tables_markdown()]
    findings = body.get("findings")
    if findings:
        parts.append("Findings:\n" + "\n".join(f"- {_finding(f)}" for f in findings))
    if data.missing:
        parts.append("Missing data:\n" + "\n".join(f"- {m}" for m in data.missing))
    if data.answer:  # the data step answered by itself (e.g. a company outside the data)
        parts.append(data.answer)
    return shorten("\n\n".join(parts), TEXT_LIMIT)


def error_result(message: str) -> types.CallToolResult:
    return types.CallToolResult(content=[_text(message)], is_error=True)


def _finding(finding: Any) -> str:
    if isinstance(finding, dict):
        text = finding.get("text") or finding.get("statement") or finding.get("summary")
        if text:
            return str(text)
    return json.dumps(finding, default=str) if not isinstance(finding, str) else finding


def _text(text: str) -> types.TextContent:
    return types.TextContent(type="text", text=text)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _result_schema(tool: Tool) -> dict[str, Any] | None:
    """`{"result": <the return type's schema>}`: structured content must be an object."""
    try:
        schema = TypeAdapter(tool.return_type).json_schema(mode="serialization")
    except Exception:  # noqa: BLE001 - a return type without a schema is simply not described
        return None
    defs = schema.pop("$defs", None)
    out: dict[str, Any] = {"type": "object", "properties": {"result": schema}, "required": ["result"]}
    if defs:
        out["$defs"] = defs
    return out
