"""1. Bad output from the model: fed back, or a clear message; the session stays usable."""

import json

import pytest

from agent import Agent
from agent.events import RouteRejected
from agent.testing import ScriptedLLM, call
from orchestrations import ReActLoop
from tests.agent.conftest import Compare, Sector, quote, sector_members

GOOD = call("compare", {"symbol1": "AAA", "symbol2": "BBB"})

BAD_CALLS = {
    "invalid JSON": call("compare", '{"symbol1": "AAA", '),
    "not an object": call("compare", "[1, 2]"),
    "unknown tool": call("delete_everything", {}),
    "missing argument": call("compare", {"symbol1": "AAA"}),
    "extra argument": call("compare", {"symbol1": "AAA", "symbol2": "BBB", "force": True}),
    "wrong type": call("compare", {"symbol1": ["AAA"], "symbol2": 7}),
    "wrong enum/bound": call("sector", {"sector": "x", "top_n": 10_000}),
    "huge argument": call("compare", {"symbol1": "A" * 2_000_000, "symbol2": "B", "zzz": 1}),
}


def agent_for(llm, **kw):
    return Agent(llm, orchestrations=[Compare, Sector], tools=[quote, sector_members], **kw)


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
async def test_bad_call_is_fed_back_then_repaired(case):
    llm = ScriptedLLM([BAD_CALLS[case], GOOD, "answer"])
    reply = await agent_for(llm).achat("compare AAA and BBB")
    assert reply.ok and reply.text == "answer"
    rejected = [e for e in reply.events if isinstance(e, RouteRejected)]
    assert len(rejected) == 1 and rejected[0].errors
    feedback = llm.requests[1].messages[-1]
    assert feedback.role == "tool" and feedback.content.startswith("Invalid call.")
    assert len(feedback.content) < 5_000  # a huge argument is not echoed back whole
    llm.assert_complete()


@pytest.mark.parametrize("case", sorted(BAD_CALLS))
async def test_persistent_bad_calls_end_the_turn_clearly_and_the_session_goes_on(case):
    llm = ScriptedLLM([BAD_CALLS[case]] * 3 + ["hello back"])
    agent = agent_for(llm, max_repairs=2)
    failed = await agent.achat("compare")
    assert not failed.ok and "could not produce a valid call after 3 attempts" in failed.error
    assert len(failed.error) < 2_000
    assert (await agent.achat("hello")).text == "hello back"
    assert [m.content for m in llm.requests[-1].messages[1:]] == ["hello"]  # the failed turn left no trace


async def test_empty_reply_gets_a_clear_message():
    reply = await agent_for(ScriptedLLM([""])).achat("hi")
    assert reply.ok and "no answer" in reply.text


async def test_a_call_loop_that_never_ends_is_bounded_by_steps():
    llm = ScriptedLLM([call("quote", {"symbol": "AAA"})] * 4)
    data = await ReActLoop().run(ReActLoop.validate({"task": "t", "max_steps": 4}), _ctx(llm))
    assert "Stopped after 4 steps" in data.answer
    llm.assert_complete()


async def test_a_call_loop_is_bounded_by_the_token_budget():
    from agent.llm import LLMResponse, Message, Usage

    def expensive(request):
        return LLMResponse(Message.assistant(None, [call("quote", {"symbol": "AAA"})]), Usage(9_000, 100, 1))

    llm = ScriptedLLM([expensive] * 2)
    data = await ReActLoop().run(ReActLoop.validate({"task": "t", "max_steps": 20}), _ctx(llm))
    assert "token budget" in data.answer
    llm.assert_complete()  # 2 calls, not 20


def _ctx(llm):
    from orchestrations import RunContext
    from tools import ToolRunner

    return RunContext(ToolRunner([quote]), llm=llm)


async def test_model_text_with_garbage_bytes_is_kept_as_text():
    garbage = "\x00\ufffd\U0001F4A9 ok"
    reply = await agent_for(ScriptedLLM([garbage])).achat("hi")
    assert reply.text == garbage.strip()
    json.dumps(reply.to_dict())  # serialisable for --json
