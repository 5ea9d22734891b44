"""Every example's `main()` runs, with a ScriptedLLM where it needs a model (offline, snapshot data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from agent.llm import LLMRequest
from agent.testing import ScriptedLLM, call

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def router(route: str, arguments: dict, answer: str, turns: int = 4) -> ScriptedLLM:
    """Routing requests (tools offered) call `route`; answer requests get `answer`."""

    def reply(request: LLMRequest):
        if request.tools and request.tool_choice != "none":
            return call(route, arguments)
        return answer

    return ScriptedLLM([reply] * (2 * turns))


COMPARE = {"symbol1": "JPM", "symbol2": "BAC", "time_horizon": "2 years"}


def test_examples_are_all_covered():
    assert sorted(p.stem for p in EXAMPLES.glob("*.py")) == [
        "app_sync_async", "approval_across_processes", "custom_tool_and_orchestration", "test_agent_with_replay", "travel_app"]


def test_app_sync_async(capsys):
    llm = router("company_comparative_analysis", COMPARE, "JPM outgrew BAC; BAC was more volatile.")
    out = load("app_sync_async").main(llm)
    assert out["sync_answer"] == "JPM outgrew BAC; BAC was more volatile."
    events = out["stream_events"]
    assert events[0] == "RouteDecided" and events[-1] == "FinalAnswer"
    assert {"ToolCallFinished", "OrchestrationFinished", "TokenDelta"} <= set(events)
    # the follow-up saw the first turn: the routing request carries the history
    follow_up = [r for r in llm.requests if r.tools][-1]
    assert any("JPM outgrew BAC" in (m.content or "") for m in follow_up.messages)
    printed = capsys.readouterr().out
    assert "company_comparative_analysis" in printed and "tool get_stock_price" in printed


def test_custom_tool_and_orchestration():
    llm = router("currency_brief", {"amount": 250, "currencies": ["EUR", "GBP"]}, "250 USD is 230 EUR or 197.50 GBP.", turns=1)
    out = load("custom_tool_and_orchestration").main(llm)
    assert out["calls"] == [{"name": "currency_brief", "arguments": {"amount": 250.0, "currencies": ["EUR", "GBP"]}}]
    table = out["tables"]["currency_brief.conversion"]
    assert table["rows"] == [["EUR", 0.92, 230.0], ["GBP", 0.79, 197.5]]
    assert [c["tool"] for c in out["tool_calls"]] == ["exchange_rate", "exchange_rate"]
    assert out["answer"].startswith("250 USD")
    offered = [t.name for t in llm.requests[0].tools]
    assert offered == ["currency_brief"]


def test_approval_across_processes(tmp_path):
    llm = ScriptedLLM([call("buy_shares", {"symbol": "AAPL", "quantity": 10})])  # process 1 routes; process 2 needs no model
    out = load("approval_across_processes").main(llm, folder=tmp_path)
    (pending,) = out["pending"]
    assert pending["name"] == "place_order" and pending["arguments"]["quantity"] == 10
    assert out["resumed"]["answer"].startswith("Order 1 sent: buy 10 AAPL at a limit of ")
    assert [o["symbol"] for o in out["orders"]] == ["AAPL"]  # placed once, by the second process
    assert out["orders"][0]["limit_price"] == pending["arguments"]["limit_price"]
    llm.assert_complete()


def test_agent_with_replay_main(tmp_path):
    llm = router("company_comparative_analysis", COMPARE, "Recorded answer.", turns=1)
    out = load("test_agent_with_replay").main(llm, folder=tmp_path)
    assert out["answer"] == "Recorded answer."
    assert (tmp_path / "compare.json").is_file()


def test_agent_with_replay_own_test(tmp_path):
    load("test_agent_with_replay").test_replay_matches_recording(tmp_path)


def test_travel_app_runs_its_three_requests_on_its_own_domain():
    plan = iter([
        [call("weather_forecast", {"city": "Oslo"}), call("weather_forecast", {"city": "Bergen"})],
        call("hotel_search", {"city": "Rome", "nights": 3}),
        call("hotel_search", {"city": "Florence", "nights": 3}),
    ])

    def reply(request: LLMRequest):
        return next(plan) if request.tools and request.tool_choice != "none" else "Here is what I found."

    llm = ScriptedLLM([reply] * 6)
    out = load("travel_app").main(llm)
    assert [t["calls"] for t in out][2] == [{"name": "hotel_search", "arguments": {"city": "Florence", "nights": 3}}]
    assert out[0]["tables"]["weather_forecast.forecast"]["rows"][0][0] == 1
    assert out[1]["tables"]["hotel_search.hotels"]["rows"][0] == ["Rome Central", 195, 585]
    offered = {t.name for t in llm.requests[0].tools}
    assert offered == {"weather_forecast", "hotel_search", "flight_search", "currency_conversion", "visa_requirements", "things_to_do"}
    # the follow-up's routing request carries the earlier turn's calls
    follow_up = [r for r in llm.requests if r.tools][-1]
    assert any(c.name == "hotel_search" for m in follow_up.messages for c in m.tool_calls)


@pytest.mark.parametrize("name", ["app_sync_async", "approval_across_processes", "custom_tool_and_orchestration", "test_agent_with_replay", "travel_app"])
def test_example_has_main_with_llm_parameter(name):
    import inspect

    params = inspect.signature(load(name).main).parameters
    assert "llm" in params and params["llm"].default is None
