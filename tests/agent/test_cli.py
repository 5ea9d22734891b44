"""`finagent` as a user runs it: subprocesses, real output, exit codes, one-line errors."""

import json
import os
import subprocess
import sys

import pytest

from tests.http_stub import Reply, completion, stream_events

SECRET = "sk-test-PLANTED-cli-9876543210"


def finagent(*args, env=None, timeout=120):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def test_help_lists_the_subcommands():
    out = finagent("--help").stdout
    for command in ("ask", "tools", "tool", "chat", "serve"):
        assert f"    {command}" in out


def test_tools_lists_orchestrations_and_tools_with_schemas():
    listing = json.loads(finagent("tools").stdout)
    names = {o["name"] for o in listing["orchestrations"]}
    assert {"sector_analysis", "market_trend_prediction", "portfolio_recommendation", "research"} <= names
    assert len(listing["tools"]) == 9
    sector = next(o for o in listing["orchestrations"] if o["name"] == "sector_analysis")
    assert sector["parameters"]["properties"]["sector"]["type"] == "string"  # a sector or an industry, grounded per query


def test_tool_prints_real_statements_with_dates():
    result = finagent("tool", "get_income_statement", '{"symbol": "aapl", "limit": 3}')
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    fy2023 = next(r for r in rows if r["fiscal_date"] == "2023-09-30")
    assert fy2023["revenue"] == 383_285_000_000 and fy2023["symbol"] == "AAPL"


def test_tool_runs_an_orchestration_data_step():
    result = finagent("tool", "financial_health_assessment", '{"symbol": "JPM"}')
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"health", "trends"} <= set(data["tables"]) and data["missing"] == []


@pytest.mark.parametrize("args, fragment", [
    (("tool", "get_stock_price", "{bad json"), "not valid JSON"),
    (("tool", "no_such_tool", "{}"), "unknown tool or orchestration 'no_such_tool'"),
    (("tool", "get_stock_price", '{"symbol": "GOOGL"}'), "--data fmp"),
    (("tool", "financial_health_assessment", '{"symbol": 3}'), "symbol: Input should be a valid string"),
])
def test_errors_are_one_clear_line_without_traceback(args, fragment):
    result = finagent(*args)
    assert result.returncode == 1
    assert fragment in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_missing_openai_key_says_what_to_do():
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = subprocess.run([sys.executable, "-m", "agent.cli", "ask", "hi", "--backend", "openai"], capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr


def test_ask_json_over_a_real_openai_compatible_server(stub_server):
    stub_server.add(
        Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JPM"})])),
        Reply(sse=stream_events("JPM is healthy.")),
    )
    result = finagent("ask", "How healthy is JPMorgan?", "--backend", "openai", "--base-url", stub_server.url + "/v1", "--json",
                      env={"OPENAI_API_KEY": SECRET})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["calls"] == [{"name": "financial_health_assessment", "arguments": {"symbol": "JPM"}}]
    assert out["answer"] == "JPM is healthy." and out["llm_calls"] == 2
    assert out["usage"]["total_tokens"] > 0
    assert {c["tool"] for c in out["tool_calls"]} == {"get_income_statement", "get_balance_sheet", "get_cash_flow", "get_stock_price"}
    assert SECRET not in result.stdout + result.stderr


def test_ask_with_a_500_storm_fails_cleanly_without_the_key(stub_server):
    stub_server.add(*[Reply(500, {"error": {"message": f"boom {SECRET}"}}) for _ in range(10)])
    result = finagent("ask", "hi", "--backend", "openai", "--base-url", stub_server.url + "/v1",
                      env={"OPENAI_API_KEY": SECRET}, timeout=200)
    assert result.returncode == 1
    assert "HTTP 500" in result.stderr and "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr


def test_ask_prints_the_findings_before_the_answer_and_what_was_checked(stub_server):
    stub_server.add(
        Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JNJ"})])),
        Reply(sse=stream_events("JNJ is healthy: its return on equity is 23.36%, and its debt to equity is 42.42.")),
    )
    result = finagent("ask", "How healthy is JNJ?", "--backend", "openai", "--base-url", stub_server.url + "/v1",
                      env={"OPENAI_API_KEY": SECRET})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "financial_health_assessment findings:" in out and "  • JNJ's return on equity is 23.36%" in out
    assert out.index("findings:") < out.index("answer:\nJNJ is healthy") < out.index("⚠ 1 of 2 figures not traced to the data: 42.42")


def test_ask_json_carries_the_tables_and_the_attribution(stub_server):
    stub_server.add(
        Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JNJ"})])),
        Reply(sse=stream_events("JNJ's return on equity is 23.36%.")),
    )
    result = finagent("ask", "How healthy is JNJ?", "--backend", "openai", "--base-url", stub_server.url + "/v1", "--json",
                      env={"OPENAI_API_KEY": SECRET})
    out = json.loads(result.stdout)
    health = out["tables"]["financial_health_assessment.health"]
    assert health["columns"][0] == "metric" and any(row[0] == "ROE %" for row in health["rows"])
    assert out["figures"]["summary"] == "1 figure, traced and attributed" and out["figures"]["attributed"] == 1
