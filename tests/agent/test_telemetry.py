"""OpenTelemetry spans of a turn: one trace, nested as they run, GenAI attributes, content only on opt-in."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from agent import Agent, telemetry
from agent.limits import UsageLimits
from agent.testing import ScriptedLLM, call
from orchestrations import ReActLoop

from .conftest import Compare, Sector, quote, sector_members

ROOT = Path(__file__).resolve().parents[2]
SECRET = "sk-planted-secret-0123456789"


@pytest.fixture(scope="module")
def provider():
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        current = TracerProvider()
        trace.set_tracer_provider(current)
    return current


@pytest.fixture
def spans(provider):
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


def make(llm, **kw):
    return Agent(llm, orchestrations=[Compare, Sector, ReActLoop], tools=[quote, sector_members], **kw)


def by_name(finished, name):
    return [s for s in finished if s.name == name]


def all_attribute_text(finished) -> str:
    return json.dumps([{k: str(v) for k, v in s.attributes.items()} for s in finished])


async def test_a_turn_is_one_trace_with_spans_nested_as_they_ran(spans):
    routes = [call("sector", {"sector": "banks", "top_n": 1}), call("compare", {"symbol1": "BBB", "symbol2": "CCC"})]
    llm = ScriptedLLM([routes, "Banks are up; BBB is cheaper."])
    reply = await make(llm).achat("Banks, and BBB vs CCC")
    assert reply.ok
    finished = spans.get_finished_spans()
    assert len({s.context.trace_id for s in finished}) == 1
    (turn,) = by_name(finished, "invoke_agent finagent")
    assert turn.parent is None
    assert turn.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert turn.attributes["gen_ai.usage.input_tokens"] == reply.usage.prompt_tokens
    assert turn.attributes["gen_ai.usage.output_tokens"] == reply.usage.completion_tokens
    assert turn.attributes["finagent.figures.ok"] == reply.figures["ok"]
    assert turn.attributes["finagent.figures.total"] == reply.figures["total"]
    assert list(turn.attributes["finagent.route"]) == ["sector", "compare"]

    chats = by_name(finished, "chat scripted")
    assert [c.attributes["finagent.llm.purpose"] for c in sorted(chats, key=lambda s: s.start_time)] == ["routing", "analysis"]
    for chat in chats:
        assert chat.parent.span_id == turn.context.span_id
        assert chat.attributes["gen_ai.operation.name"] == "chat"
        assert chat.attributes["gen_ai.request.model"] == "scripted"
        assert chat.attributes["gen_ai.usage.input_tokens"] > 0 and "gen_ai.usage.output_tokens" in chat.attributes

    orchestrations = {s.attributes["gen_ai.tool.name"]: s for s in finished if s.attributes.get("finagent.tool.kind") == "orchestration"}
    assert set(orchestrations) == {"sector", "compare"}
    for span in orchestrations.values():
        assert span.parent.span_id == turn.context.span_id and span.attributes["gen_ai.operation.name"] == "execute_tool"
    tools = [s for s in finished if s.attributes.get("finagent.tool.kind") == "tool"]
    under = {name: sorted(t.attributes["gen_ai.tool.name"] for t in tools if t.parent.span_id == o.context.span_id)
             for name, o in orchestrations.items()}
    assert under == {"sector": ["quote", "sector_members"], "compare": ["quote", "quote"]}
    # the two orchestrations ran at the same time, each holding its own tools' spans
    a, b = orchestrations["sector"], orchestrations["compare"]
    assert a.start_time < b.end_time and b.start_time < a.end_time


async def test_react_steps_are_llm_spans_under_the_loop(spans):
    llm = ScriptedLLM([call("research", {"task": "price of AAA"}), call("quote", {"symbol": "AAA"}), "AAA is at 10."])
    assert (await make(llm).achat("price of AAA")).text == "AAA is at 10."
    finished = spans.get_finished_spans()
    (loop,) = [s for s in finished if s.attributes.get("gen_ai.tool.name") == "research"]
    steps = [s for s in finished if s.attributes.get("finagent.llm.purpose") == "orchestration"]
    assert len(steps) == 2 and all(s.parent.span_id == loop.context.span_id for s in steps)
    (tool,) = [s for s in finished if s.attributes.get("finagent.tool.kind") == "tool"]
    assert tool.parent.span_id == loop.context.span_id and tool.attributes["gen_ai.tool.name"] == "quote"


async def test_content_is_left_out_unless_the_user_opts_in(spans, monkeypatch):
    monkeypatch.delenv(telemetry.CAPTURE_CONTENT_ENV, raising=False)
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "A private answer."])
    await make(llm).achat("A private question about AAA and BBB")
    text = all_attribute_text(spans.get_finished_spans())
    assert "private" not in text and "gen_ai.input.messages" not in text and "gen_ai.tool.call.arguments" not in text


async def test_opted_in_content_is_recorded_with_secrets_redacted(spans, monkeypatch):
    monkeypatch.setenv(telemetry.CAPTURE_CONTENT_ENV, "true")
    monkeypatch.setenv("FMP_API_KEY", SECRET)
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "An answer."])
    await make(llm).achat(f"Compare AAA and BBB, my key is {SECRET}")
    finished = spans.get_finished_spans()
    (turn,) = by_name(finished, "invoke_agent finagent")
    assert "Compare AAA and BBB" in turn.attributes["gen_ai.input.messages"]
    assert "An answer." in turn.attributes["gen_ai.output.messages"]
    tool = next(s for s in finished if s.attributes.get("finagent.tool.kind") == "tool")
    assert json.loads(tool.attributes["gen_ai.tool.call.arguments"])["symbol"] in ("AAA", "BBB")
    assert "price" in tool.attributes["gen_ai.tool.call.result"]
    assert SECRET not in all_attribute_text(finished) and "[REDACTED]" in turn.attributes["gen_ai.input.messages"]


async def test_a_stopped_turn_marks_its_span_with_the_error_type(spans):
    agent = make(ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"})]), limits=UsageLimits(max_tool_calls=1))
    await agent.achat("Compare AAA and BBB")
    (turn,) = by_name(spans.get_finished_spans(), "invoke_agent finagent")
    assert turn.attributes["error.type"] == "usage_limit" and not turn.status.is_ok


def test_without_opentelemetry_a_turn_runs_and_records_nothing():
    script = (
        "import sys; sys.modules['opentelemetry'] = None\n"
        "from agent import Agent, telemetry\n"
        "from agent.testing import ScriptedLLM, call\n"
        "from tests.agent.conftest import Compare, quote\n"
        "agent = Agent(ScriptedLLM([call('compare', {'symbol1': 'AAA', 'symbol2': 'BBB'}), 'ok']), orchestrations=[Compare], tools=[quote])\n"
        "reply = agent.chat('Compare AAA and BBB')\n"
        "print(telemetry.enabled(), reply.text, len(reply.tool_calls))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "ok", "2"]


def test_export_is_configured_only_with_an_endpoint(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert telemetry.configure_from_env() is False


async def test_an_mcp_call_is_a_span_holding_its_tool_calls(spans):
    from agent.mcp._catalog import Catalog

    catalog = Catalog({"compare": Compare}, {"quote": quote})
    result = await catalog.call("compare", {"symbol1": "AAA", "symbol2": "BBB"})
    assert not result.is_error
    finished = spans.get_finished_spans()
    (outer,) = [s for s in finished if s.attributes.get("finagent.tool.kind") == "orchestration"]
    assert outer.name == "execute_tool compare" and outer.parent is None
    tools = [s for s in finished if s.attributes.get("finagent.tool.kind") == "tool"]
    assert [t.attributes["gen_ai.tool.name"] for t in tools] == ["quote", "quote"]
    assert all(t.parent.span_id == outer.context.span_id for t in tools)
