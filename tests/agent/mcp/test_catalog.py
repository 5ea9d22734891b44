"""The MCP server in-process (the SDK's `Client(server)`), over a catalog of test orchestrations and tools:
whatever `OrchestrationData.to_dict()` carries goes out, and every failure is an `isError` result."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from pydantic import BaseModel

from agent.mcp import Catalog, build_server
from orchestrations import Finding, Orchestration, OrchestrationData, RunContext, Table
from tools import ToolError, tool


@tool(retries=0)
def square(x: int) -> int:
    """Square an integer."""
    if x < 0:
        raise ToolError("negative numbers are not supported here")
    return x * x


@tool(retries=0)
def explode(x: int) -> int:
    """Always crashes."""
    raise ZeroDivisionError("division by zero deep inside")


class Numbers(BaseModel):
    values: list[int]


class Squares(Orchestration):
    name = "squares"
    description = "Squares of some integers."
    Params = Numbers

    async def gather(self, params: Numbers, ctx: RunContext) -> OrchestrationData:
        squares = await ctx.gather(*(ctx.fetch(square, x=v) for v in params.values))
        rows = [[v, s] for v, s in zip(params.values, squares)]
        biggest = max((s for s in squares if s is not None), default=None)
        return OrchestrationData(tables={"squares": Table("Squares", ["x", "x^2"], rows)}, facts={"n": len(rows)},
                                 findings=[Finding(f"The largest square is {biggest}.", [str(biggest)], "squares")])


class Broken(Orchestration):
    name = "broken"
    description = "A data step with a bug."
    Params = Numbers

    async def gather(self, params: Numbers, ctx: RunContext) -> OrchestrationData:
        raise KeyError("a key the code forgot")


@pytest.fixture
def server():
    return build_server(Catalog({"squares": Squares, "broken": Broken}, {"square": square, "explode": explode}))


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_structured_content_carries_everything_to_dict_has(server):
    messages: list[str] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        messages.append(message)

    async with Client(server) as client:
        result = await client.call_tool("squares", {"values": [3, -2, 4, 3]}, progress_callback=on_progress)
    assert not result.is_error
    body = result.structured_content
    assert body["tables"]["squares"]["rows"] == [[3, 9], [-2, None], [4, 16], [3, 9]]
    assert body["findings"] == [Finding("The largest square is 16.", ["16"], "squares").to_dict()]
    assert body["facts"] == {"n": 4}
    assert body["missing"] == ["square(x=-2): negative numbers are not supported here"]
    text = text_of(result)
    assert "| 4 | 16 |" in text and "The largest square is 16." in text and "negative numbers" in text
    # four calls, one of them served by the per-run cache; every one reported
    assert len(messages) == 4 and sum("(cached)" in m for m in messages) == 1
    assert any("square(x=-2) failed: negative numbers" in m for m in messages)


async def test_failures_are_tool_errors_with_clear_messages(server):
    async with Client(server) as client:
        broken = await client.call_tool("broken", {"values": [1]})
        crash = await client.call_tool("explode", {"x": 1})
        refused = await client.call_tool("square", {"x": -1})
        wrong_type = await client.call_tool("squares", {"values": "many"})
        missing = await client.call_tool("squares", {})
        unknown = await client.call_tool("cube", {"x": 2})
        fine = await client.call_tool("square", {"x": 12})
    assert broken.is_error and text_of(broken) == "broken failed: KeyError: 'a key the code forgot'"
    assert crash.is_error and "ZeroDivisionError: division by zero deep inside" in text_of(crash)
    assert refused.is_error and "negative numbers are not supported here" in text_of(refused)
    assert wrong_type.is_error and "values" in text_of(wrong_type)
    assert missing.is_error and "values" in text_of(missing)
    assert unknown.is_error and text_of(unknown) == "unknown tool 'cube'; available: squares, broken, square, explode"
    assert not fine.is_error and fine.structured_content == {"result": 144}


def test_a_name_shared_by_an_orchestration_and_a_tool_is_refused():
    with pytest.raises(ValueError, match="share the name"):
        Catalog({"square": Squares}, {"square": square})
