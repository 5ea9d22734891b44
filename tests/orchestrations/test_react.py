from agent import Agent
from agent.events import ToolCallFinished
from agent.testing import ScriptedLLM, call
from orchestrations import ReActLoop, RunContext
from tools import ToolRunner, tool


@tool
def price(symbol: str) -> float:
    """Price of a stock."""
    return {"AAA": 10.0, "BBB": 30.0}[symbol]


def ctx_for(llm, events=None):
    runner = ToolRunner([price], emit=(events.append if events is not None else None))
    return RunContext(runner, llm=llm)


async def test_thought_action_observation_until_an_answer():
    llm = ScriptedLLM([call("price", {"symbol": "AAA"}), call("price", {"symbol": "BBB"}), "BBB costs three times AAA."])
    data = await ReActLoop().run(ReActLoop.validate({"task": "compare prices"}), ctx_for(llm))
    assert data.answer == "BBB costs three times AAA."
    assert [row[1] for row in data.tables["steps"].rows] == ["price", "price"]
    second = llm.requests[1].messages  # the observation of step 1 is fed to step 2
    assert second[-1].role == "tool" and '"result":10.0' in second[-1].content
    assert {t.name for t in llm.requests[0].tools} == {"price"}
    llm.assert_complete()


async def test_invalid_steps_are_fed_back_as_observations():
    llm = ScriptedLLM([call("nope", {}), call("price", {"symbol": 1}), call("price", "{broken"), "gave up on tools"])
    data = await ReActLoop().run(ReActLoop.validate({"task": "t"}), ctx_for(llm))
    observations = [m.content for m in llm.requests[3].messages if m.role == "tool"]
    assert "unknown tool 'nope'" in observations[0]
    assert "invalid_arguments" in observations[1]
    assert "not a valid JSON object" in observations[2]
    assert data.answer == "gave up on tools"


async def test_max_steps_bounds_a_loop_that_never_answers():
    llm = ScriptedLLM([call("price", {"symbol": "AAA"}), call("price", {"symbol": "BBB"})])
    data = await ReActLoop().run(ReActLoop.validate({"task": "t", "max_steps": 2}), ctx_for(llm))
    assert data.answer == "Stopped after 2 steps without a final answer."
    llm.assert_complete()  # exactly max_steps model calls


async def test_a_repeated_call_makes_the_next_step_answer():
    llm = ScriptedLLM([call("price", {"symbol": "AAA"}), call("price", {"symbol": "AAA"}), "AAA is at 10."])
    data = await ReActLoop().run(ReActLoop.validate({"task": "price of AAA"}), ctx_for(llm))
    assert [r.tool_choice for r in llm.requests] == ["auto", "auto", "none"]
    last = llm.requests[2].messages
    assert last[-1].role == "user" and "already have the results" in last[-1].content  # told why, not re-run
    assert [m.role for m in last].count("tool") == 1 and len(data.tables["steps"].rows) == 1
    assert data.answer == "AAA is at 10."
    llm.assert_complete()


async def test_react_through_the_agent_answers_without_a_synthesis_call():
    llm = ScriptedLLM([call("research", {"task": "price of AAA"}), call("price", {"symbol": "AAA"}), "AAA is at 10."])
    agent = Agent(llm, orchestrations=[ReActLoop], tools=[price])
    reply = await agent.achat("What is AAA's price?")
    assert reply.text == "AAA is at 10." and reply.llm_calls == 1 + 0  # routing counted; loop calls are the orchestration's
    assert [e.tool for e in reply.events if isinstance(e, ToolCallFinished)] == ["price"]
    llm.assert_complete()
