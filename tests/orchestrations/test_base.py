"""Orchestration.for_tool: an atomic tool routed directly behaves as an orchestration."""

from __future__ import annotations

from orchestrations import Orchestration, RunContext
from tools import ToolRunner, tool


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@tool
def broken(x: int) -> int:
    """Always fails."""
    raise RuntimeError("boom")


async def test_a_tool_as_an_orchestration_runs_the_call_and_prompts_with_its_result():
    cls = Orchestration.for_tool(add)
    assert cls.spec() == add.spec and cls.name == "add"
    params = cls.validate({"a": 2, "b": 40})
    data = await cls().run(params, RunContext(ToolRunner([add])))
    assert data.facts["result"] == 42 and not data.missing
    assert '"a": 2' in cls().prompt(params, data) and "42" in cls().prompt(params, data)


async def test_a_failing_tool_is_reported_as_missing_data():
    cls = Orchestration.for_tool(broken)
    params = cls.validate({"x": 1})
    data = await cls().run(params, RunContext(ToolRunner([broken])))
    assert data.facts["result"] is None and "boom" in data.missing[0]
    assert "It failed" in cls().prompt(params, data)
