"""`finagent ask` exports its turn's spans over OTLP/HTTP to a real receiver on 127.0.0.1."""

import json
import os
import subprocess
import sys

import pytest

from tests.http_stub import Reply, completion, stream_events

from .otlp_receiver import OTLPReceiver

OPENAI_SECRET = "sk-test-PLANTED-otel-1234567890"
FMP_SECRET = "fmp-PLANTED-otel-0987654321"


def ask(receiver, stub_server, *extra, env=None):
    stub_server.add(
        Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JPM"})])),
        Reply(sse=stream_events("JPM is healthy.")),
    )
    full_env = {**os.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OPENAI_API_KEY": OPENAI_SECRET,
                "FMP_API_KEY": FMP_SECRET, "OPENAI_MODEL": "gpt-4o-mini", **(env or {})}
    full_env.pop("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", None)
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "agent.cli", "ask", "How healthy is JPMorgan?", "--backend", "openai",
                           "--base-url", stub_server.url + "/v1", "--json", *extra], capture_output=True, text=True, env=full_env, timeout=180)


@pytest.mark.server
def test_an_ask_turn_reaches_an_otlp_receiver_with_gen_ai_attributes_and_no_secret(stub_server):
    with OTLPReceiver() as receiver:
        result = ask(receiver, stub_server)
        assert result.returncode == 0, result.stderr
        spans = receiver.spans()
    assert set(receiver.paths) == {"/v1/traces"}
    assert len({s["trace_id"] for s in spans}) == 1  # one turn, one trace
    by_id = {s["span_id"]: s for s in spans}
    (turn,) = [s for s in spans if s["name"] == "invoke_agent finagent"]
    assert turn["parent_id"] is None and turn["resource"]["service.name"] == "finagent"
    assert turn["attributes"]["gen_ai.operation.name"] == "invoke_agent"
    usage = json.loads(result.stdout)["usage"]
    assert turn["attributes"]["gen_ai.usage.input_tokens"] == usage["prompt_tokens"] > 0
    assert turn["attributes"]["gen_ai.usage.output_tokens"] == usage["completion_tokens"] > 0
    assert turn["attributes"]["finagent.figures.ok"] in (True, False) and "finagent.figures.total" in turn["attributes"]

    chats = [s for s in spans if s["attributes"].get("gen_ai.operation.name") == "chat"]
    assert sorted(c["attributes"]["finagent.llm.purpose"] for c in chats) == ["analysis", "routing"]
    for chat in chats:
        assert chat["attributes"]["gen_ai.request.model"] == "gpt-4o-mini"
        assert chat["attributes"]["gen_ai.provider.name"] == "openai"
        assert chat["attributes"]["gen_ai.usage.input_tokens"] > 0 and chat["attributes"]["gen_ai.usage.output_tokens"] > 0
        assert chat["parent_id"] == turn["span_id"]
    assert sum(c["attributes"]["gen_ai.usage.input_tokens"] for c in chats) == usage["prompt_tokens"]

    (orchestration,) = [s for s in spans if s["attributes"].get("finagent.tool.kind") == "orchestration"]
    assert orchestration["name"] == "execute_tool financial_health_assessment"
    assert orchestration["attributes"]["gen_ai.tool.name"] == "financial_health_assessment"
    assert orchestration["parent_id"] == turn["span_id"]
    tools = [s for s in spans if s["attributes"].get("finagent.tool.kind") == "tool"]
    assert {t["attributes"]["gen_ai.tool.name"] for t in tools} == {"get_income_statement", "get_balance_sheet", "get_cash_flow", "get_stock_price"}
    assert all(by_id[t["parent_id"]] is orchestration for t in tools)

    raw = b"".join(receiver.bodies)
    for secret in (OPENAI_SECRET, FMP_SECRET):
        assert secret.encode() not in raw
    assert b"How healthy is JPMorgan" not in raw  # content is left out unless asked for


@pytest.mark.server
def test_content_on_opt_in_still_without_secrets(stub_server):
    with OTLPReceiver() as receiver:
        result = ask(receiver, stub_server, env={"OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"})
        assert result.returncode == 0, result.stderr
        raw = b"".join(receiver.bodies)
        spans = receiver.spans()
    (turn,) = [s for s in spans if s["name"] == "invoke_agent finagent"]
    assert "How healthy is JPMorgan?" in turn["attributes"]["gen_ai.input.messages"]
    assert "JPM is healthy." in turn["attributes"]["gen_ai.output.messages"]
    assert OPENAI_SECRET.encode() not in raw and FMP_SECRET.encode() not in raw


def test_without_an_endpoint_nothing_is_exported(stub_server):
    with OTLPReceiver() as receiver:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        stub_server.add(Reply(body=completion("Hello.")))
        result = subprocess.run([sys.executable, "-m", "agent.cli", "ask", "hi", "--backend", "openai", "--base-url", stub_server.url + "/v1"],
                                capture_output=True, text=True, env={**env, "OPENAI_API_KEY": OPENAI_SECRET}, timeout=120)
        assert result.returncode == 0, result.stderr
        assert receiver.bodies == []
    assert "Hello." in result.stdout
