"""`MCPTool`: one tool of an MCP server as a finagent `Tool` (schema, validation, timeout, retries, cache)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import mcp.types as types
from jsonschema import exceptions as schema_errors
from jsonschema.validators import Draft202012Validator, validator_for
from pydantic import BaseModel, ConfigDict, create_model

from core.schema import allows_null, strict_schema
from tools._errors import ToolArgumentsError, ToolError
from tools._tool import DEFAULT_TIMEOUT, Tool
from tools._validate import parse_arguments

Caller = Callable[[str, dict[str, Any]], Awaitable[types.CallToolResult]]
"""Sends `tools/call` (remote tool name, arguments) over the live session."""

DESCRIPTION_CHARS = 1024
_NAME_BAD = re.compile(r"[^A-Za-z0-9_-]")


class MCPTool(Tool):
    """A remote MCP tool. Arguments are checked against the server's own input schema (JSON Schema);
    the model is offered its strict-mode form, where `null` for an optional argument means "leave it out".

    The value is the result's structured content, else its text (parsed when it is JSON); a result
    with `isError` raises `ToolError`, which the run reports like any failed tool.
    """

    def __init__(
        self,
        remote: types.Tool,
        caller: Caller,
        *,
        name: str | None = None,
        server: str = "MCP server",
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = 2,
        cache: bool = True,
    ):
        async def remote_call() -> Any:  # stands in for the signature: the arguments come from the schema
            raise NotImplementedError

        description = (remote.description or remote.title or remote.name).strip()[:DESCRIPTION_CHARS]
        super().__init__(remote_call, name=name or tool_name(remote.name), description=description,
                         timeout=timeout, retries=retries, cache=cache)
        self.remote_name = remote.name
        self.server = server
        self.input_schema: dict[str, Any] = dict(remote.input_schema or {"type": "object"})
        self.output_schema = remote.output_schema
        self.annotations = remote.annotations
        self._caller = caller
        self.fn = self._call_remote
        self.is_async = True
        self.args_model = create_model(_model_name(self.name), __config__=ConfigDict(extra="allow"))
        self.parameters = strict_schema(self.input_schema)
        self._validator = _validator(self.input_schema)

    def __repr__(self) -> str:
        return f"<MCPTool {self.name} ({self.server})>"

    def validate(self, arguments: dict[str, Any] | str | BaseModel | None) -> BaseModel:
        """Parse, drop `null`s standing for left-out optional arguments, check the server's schema."""
        if isinstance(arguments, self.args_model):
            return arguments
        data = self._drop_defaulted_nulls(parse_arguments(arguments, self.name))
        props = self.input_schema.get("properties")
        if isinstance(props, dict) and not self.input_schema.get("additionalProperties"):
            unknown = sorted(set(data) - set(props))  # closed, as the schema offered to the model says
            if unknown:
                names = ", ".join(repr(k[:40]) for k in unknown[:5])
                raise ToolArgumentsError(f"{self.name}: unknown argument(s) {names}; expected: {', '.join(props) or 'none'}")
        if self._validator is not None:
            problems = sorted(self._validator.iter_errors(data), key=lambda e: list(e.absolute_path))
            if problems:
                raise ToolArgumentsError(f"{self.name}: " + "; ".join(_readable(p) for p in problems[:5]))
        return self.args_model.model_validate(data)

    def keyword_arguments(self, args: BaseModel) -> dict[str, Any]:
        return args.model_dump(mode="json")

    async def _call_remote(self, **arguments: Any) -> Any:
        value = result_value(await self._caller(self.remote_name, arguments), self.name)
        return _unwrapped(value, self.output_schema)

    def _drop_defaulted_nulls(self, data: dict[str, Any]) -> dict[str, Any]:
        """Leave out `null` optional arguments, then fill in the defaults the schema states (so that
        `{"quote": null}`, `{}` and `{"quote": "USD"}` are the same call, for the per-run cache too)."""
        required = set(self.input_schema.get("required", []))
        props = self.input_schema.get("properties", {})
        out = {k: v for k, v in data.items()
               if not (v is None and k not in required and not allows_null(props.get(k, {})))}
        for name, prop in props.items() if isinstance(props, dict) else ():
            if name not in out and isinstance(prop, dict) and "default" in prop:
                out[name] = prop["default"]
        return out


def result_value(result: types.CallToolResult, name: str) -> Any:
    """A tool result's value: structured content, else the text (JSON parsed); `isError` raises."""
    text = "\n".join(_content_text(c) for c in result.content).strip()
    if result.is_error:
        raise ToolError(f"{name}: {text or 'the MCP server reported an error without a message'}", kind="mcp_tool_error")
    if result.structured_content is not None:
        return result.structured_content
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def _unwrapped(value: Any, output_schema: dict[str, Any] | None) -> Any:
    """`{"result": x}` -> `x` when the output schema is that wrapper (how MCP servers, `finagent mcp`
    and the SDK's `MCPServer` among them, return a value that is not an object)."""
    props = (output_schema or {}).get("properties")
    if isinstance(props, dict) and list(props) == ["result"] and isinstance(value, dict) and list(value) == ["result"]:
        return value["result"]
    return value


def tool_name(remote_name: str, prefix: str = "") -> str:
    """A name models accept (letters, digits, `_`, `-`; at most 64 characters)."""
    return _NAME_BAD.sub("_", f"{prefix}{remote_name}")[:64]


def _content_text(block: Any) -> str:
    if isinstance(block, types.TextContent):
        return block.text
    if isinstance(block, types.EmbeddedResource) and isinstance(text := getattr(block.resource, "text", None), str):
        return text
    kind = getattr(block, "type", type(block).__name__)
    mime = getattr(block, "mime_type", None) or getattr(getattr(block, "resource", None), "mime_type", None)
    return f"[{kind} content{f' ({mime})' if mime else ''} not shown]"


def _validator(schema: dict[str, Any]):
    """A JSON Schema validator for the server's input schema, or None if the schema itself is invalid
    (then the server is the judge of its arguments)."""
    try:
        cls = validator_for(schema, default=Draft202012Validator)
        cls.check_schema(schema)
        return cls(schema)
    except schema_errors.SchemaError:
        return None


def _readable(error: schema_errors.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path) or "arguments"
    return f"{where}: {error.message}"


def _model_name(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part) + "MCPArgs"
