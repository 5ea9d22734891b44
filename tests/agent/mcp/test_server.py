"""`finagent mcp` as a real subprocess, driven by the `mcp` SDK's own client (stdio and streamable HTTP)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import httpx
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from agent import load_defaults
from orchestrations import RunContext, registered_orchestrations
from tools import ToolRunner, check_strict, registered_tools

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.server


def finagent_mcp(*extra: str) -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "agent.cli", "mcp", *extra], cwd=str(ROOT))


def text_of(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_stdio_lists_every_orchestration_and_tool_with_its_strict_schema():
    load_defaults()
    async with stdio_client(finagent_mcp()) as (read, write), ClientSession(read, write) as session:
        init = await session.initialize()
        listed = {t.name: t for t in (await session.list_tools()).tools}
    assert init.server_info.name == "finagent"
    expected = {**registered_orchestrations(), **registered_tools()}
    assert set(listed) == set(expected)
    for name, cls in registered_orchestrations().items():
        assert listed[name].input_schema == cls.parameters_schema()
        assert cls.description in listed[name].description
        assert set(listed[name].output_schema["required"]) == {"tables", "facts", "missing"}
    for name, t in registered_tools().items():
        assert listed[name].input_schema == t.parameters
        assert listed[name].description == t.description
    assert all(check_strict(t.input_schema) == [] for t in listed.values())


async def test_stdio_runs_an_orchestration_on_the_snapshot_with_progress_per_tool_call():
    load_defaults()
    progress: list[tuple[float, str | None]] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, message))

    async with stdio_client(finagent_mcp()) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        result = await session.call_tool("financial_health_assessment", {"symbol": "jnj"}, progress_callback=on_progress)

    assert not result.is_error, text_of(result)
    body = result.structured_content
    # the same data step run here, in-process, on the same snapshot, gives the same numbers
    cls = registered_orchestrations()["financial_health_assessment"]
    local = await cls().run(cls.validate({"symbol": "JNJ"}), RunContext(ToolRunner(registered_tools())))
    assert body == json.loads(json.dumps(local.to_dict(), default=str))
    health = body["tables"]["health"]
    assert health["title"].startswith("JNJ")
    current_ratio = next(row for row in health["rows"] if row[0] == "current ratio")
    assert any(isinstance(v, float) and 0 < v < 10 for v in current_ratio[1:])
    assert body["missing"] == []
    assert "JNJ financial health" in text_of(result) and "current ratio" in text_of(result)
    # one notification per atomic tool call of the data step, in increasing order
    assert [value for value, _ in progress] == [1, 2, 3, 4]
    called = " ".join(message or "" for _, message in progress)
    for tool in ("get_income_statement", "get_balance_sheet", "get_cash_flow", "get_stock_price"):
        assert f"{tool}(symbol='JNJ'" in called
    assert all("ok" in (message or "") for _, message in progress)


async def test_stdio_errors_are_tool_errors_and_the_server_keeps_serving():
    async with stdio_client(finagent_mcp()) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        bad_argument = await session.call_tool("financial_health_assessment", {"ticker": "JNJ"})
        bad_value = await session.call_tool("get_income_statement", {"symbol": "JNJ", "limit": 500})
        unknown = await session.call_tool("no_such_tool", {})
        failing = await session.call_tool("get_stock_price", {"symbol": "ZZZZZQ"})
        partial = await session.call_tool("financial_health_assessment", {"symbol": "ZZZZZQ"})
        still_ok = await session.call_tool("get_stock_price", {"symbol": "JNJ"})

    assert bad_argument.is_error and "ticker" in text_of(bad_argument) and "symbol" in text_of(bad_argument)
    assert bad_value.is_error and "limit" in text_of(bad_value)
    assert unknown.is_error and "unknown tool 'no_such_tool'" in text_of(unknown)
    assert "financial_health_assessment" in text_of(unknown)  # it names what there is
    assert failing.is_error and "ZZZZZQ" in text_of(failing) and "get_stock_price failed" in text_of(failing)
    # a company outside the data is not an error: one answer says so, with what would cover it
    assert not partial.is_error
    assert partial.structured_content["facts"]["not_covered"] == ["ZZZZZQ"]
    assert "ZZZZZQ is not an S&P 500 member and is not covered" in text_of(partial) and "--data fmp" in text_of(partial)
    assert not still_ok.is_error
    quote = still_ok.structured_content["result"]
    assert quote["symbol"] == "JNJ" and quote["price"] > 0
    for result in (bad_argument, bad_value, unknown, failing):
        assert "Traceback" not in text_of(result)


SAMPLE_ARGUMENTS = {
    "get_stock_price": {"symbol": "JNJ"},
    "get_company_profile": {"symbol": "JNJ"},
    "get_income_statement": {"symbol": "JNJ", "limit": 2},
    "get_balance_sheet": {"symbol": "JNJ", "limit": 2},
    "get_cash_flow": {"symbol": "JNJ", "limit": 2},
    "get_historical_prices": {"symbol": "JNJ", "start_date": "2023-10-02", "end_date": "2023-10-06"},
    "get_top_companies": {"sector": "Health Care", "limit": 3},
    "find_symbol": {"query": "Johnson"},
    "get_peers": {"symbol": "JNJ", "limit": 3},
}


async def test_stdio_every_atomic_tool_returns_content_matching_its_output_schema():
    jsonschema = pytest.importorskip("jsonschema")
    load_defaults()
    assert set(SAMPLE_ARGUMENTS) == set(registered_tools())  # a new tool needs a sample here
    async with stdio_client(finagent_mcp()) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        schemas = {t.name: t.output_schema for t in (await session.list_tools()).tools}
        results = {name: await session.call_tool(name, args) for name, args in SAMPLE_ARGUMENTS.items()}
    for name, result in results.items():
        assert not result.is_error, (name, text_of(result))
        jsonschema.validate(result.structured_content, schemas[name])  # the SDK client checked it too
        assert result.structured_content["result"], name
        assert json.loads(text_of(result)) == result.structured_content["result"]
    bars = results["get_historical_prices"].structured_content["result"]
    assert [bar["date"] for bar in bars] == ["2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05", "2023-10-06"]
