"""Usage limits stop a turn, the ReAct loop included, with an event naming the limit."""

import pytest

from agent import Agent
from agent.events import ErrorEvent, FinalAnswer, ToolCallFinished, UsageLimitReached
from agent.limits import UsageLimits
from agent.testing import ScriptedLLM, call
from orchestrations import ReActLoop

from .conftest import Compare, Sector, quote, sector_members


def make(llm, limits, **kw):
    return Agent(llm, orchestrations=[Compare, Sector, ReActLoop], tools=[quote, sector_members], limits=limits, **kw)


def research_loop(steps: int) -> ScriptedLLM:
    """Routing to the ReAct loop, then a loop that keeps asking for a new quote."""
    return ScriptedLLM([call("research", {"task": "prices", "max_steps": 20}),
                        *[call("quote", {"symbol": f"S{i}"}) for i in range(steps)], "done"])


async def test_max_llm_calls_stops_a_react_loop():
    llm = research_loop(10)
    agent = make(llm, UsageLimits(max_llm_calls=3))
    events = [e async for e in agent.astream("Look up prices")]
    last = events[-1]
    assert isinstance(last, UsageLimitReached) and isinstance(last, ErrorEvent)
    assert (last.limit, last.maximum, last.used, last.kind) == ("max_llm_calls", 3, 4, "usage_limit")
    assert "max_llm_calls=3" in last.message
    assert not any(isinstance(e, FinalAnswer) for e in events)
    assert len(llm.requests) == 3  # routing + two loop steps; the fourth call was never made
    assert len([e for e in events if isinstance(e, ToolCallFinished)]) == 2
    reply = agent.session.last_reply
    assert reply.error == last.message and len(agent.session.memory) == 0


async def test_max_tool_calls_stops_a_fan_out():
    agent = make(ScriptedLLM([call("sector", {"sector": "banks", "top_n": 3}), "unused"]), UsageLimits(max_tool_calls=2))
    reply = await agent.achat("banks")
    last = reply.events[-1]
    assert isinstance(last, UsageLimitReached) and last.limit == "max_tool_calls" and last.maximum == 2
    ran = [e for e in reply.events if isinstance(e, ToolCallFinished) and e.ok]
    assert len(ran) <= 2


async def test_max_tokens_stops_after_the_reply_that_passes_it():
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "unused"])
    agent = make(llm, UsageLimits(max_tokens=5))
    reply = await agent.achat("Compare AAA and BBB please")
    last = reply.events[-1]
    assert isinstance(last, UsageLimitReached) and last.limit == "max_tokens" and last.used > 5
    assert len(llm.requests) == 1


async def test_a_turn_within_its_limits_answers():
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "AAA is cheaper."])
    reply = await make(llm, UsageLimits(max_llm_calls=2, max_tool_calls=2, max_tokens=10_000)).achat("Compare AAA and BBB")
    assert reply.text == "AAA is cheaper." and reply.ok


async def test_limits_count_per_turn():
    llm = ScriptedLLM(["one", "two", "three"])
    agent = make(llm, UsageLimits(max_llm_calls=1))
    assert [(await agent.achat(q)).text for q in ("a", "b", "c")] == ["one", "two", "three"]


@pytest.mark.parametrize("bad", [{"max_llm_calls": -1}, {"max_tokens": 1.5}, {"max_tool_calls": True}])
def test_bad_limits_are_refused(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        UsageLimits(**bad)
