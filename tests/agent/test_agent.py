

from agent.events import (
    ErrorEvent, FinalAnswer, OrchestrationFinished, OrchestrationStarted, RouteDecided, RouteRejected, TokenDelta,
    ToolCallFinished, ToolCallStarted,
)
from agent.llm import LLMServerError
from agent.testing import ScriptedLLM, call


async def test_plain_answer_is_the_reply_with_one_llm_call(make_agent):
    llm = ScriptedLLM(["P/E is price divided by earnings per share."])
    reply = await make_agent(llm).achat("What does P/E measure?")
    assert reply.text == "P/E is price divided by earnings per share."
    assert reply.calls == [] and reply.llm_calls == 1
    llm.assert_complete()
    assert [m.role for m in llm.requests[0].messages] == ["system", "user"]
    assert {t.name for t in llm.requests[0].tools} == {"compare", "sector"}


async def test_one_orchestration_streams_its_synthesis_in_two_llm_calls(make_agent):
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "AAA is cheaper than BBB."])
    events = [e async for e in make_agent(llm).astream("Compare AAA and BBB")]
    kinds = [type(e) for e in events]
    assert kinds[0] is RouteDecided and kinds[-1] is FinalAnswer
    assert kinds.count(OrchestrationStarted) == kinds.count(OrchestrationFinished) == 1
    assert kinds.count(ToolCallStarted) == kinds.count(ToolCallFinished) == 2
    assert "".join(e.text for e in events if isinstance(e, TokenDelta)) == "AAA is cheaper than BBB."
    final = events[-1]
    assert final.llm_calls == 2 and final.usage.requests == 2
    synthesis = llm.requests[1]
    assert synthesis.tool_choice == "none"
    assert "| AAA | 10.00 |" in synthesis.messages[-1].content  # the computed table reaches the prompt
    llm.assert_complete()


async def test_two_orchestrations_run_concurrently_and_one_call_merges_them(make_agent):
    llm = ScriptedLLM([[call("sector", {"sector": "banks", "top_n": 2}), call("compare", {"symbol1": "AAA", "symbol2": "BBB"})], "Merged."])
    reply = await make_agent(llm).achat("Banking trends and AAA vs BBB")
    assert [c["name"] for c in reply.calls] == ["sector", "compare"]
    assert reply.calls[0]["arguments"] == {"sector": "banks", "top_n": 2}
    assert reply.llm_calls == 2 and reply.text == "Merged."
    merged = llm.requests[1].messages[-1].content
    assert "## sector" in merged and "## compare" in merged
    # concurrency: the two orchestrations' tool calls overlap in time (shown by events, not timing asserts)
    starts = {e.orchestration: e.started_at for e in reply.events if isinstance(e, ToolCallStarted)}
    ends = {}
    for e in reply.events:
        if isinstance(e, ToolCallFinished):
            ends[e.orchestration] = max(ends.get(e.orchestration, 0), e.finished_at)
    assert starts["compare"] < ends["sector"] and starts["sector"] < ends["compare"]


async def test_tool_calls_within_an_orchestration_overlap(make_agent):
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "ok"])
    reply = await make_agent(llm).achat("compare")
    done = [e for e in reply.events if isinstance(e, ToolCallFinished)]
    a, b = done
    assert max(a.started_at, b.started_at) < min(a.finished_at, b.finished_at)


async def test_concurrency_bound_is_respected(make_agent):
    llm = ScriptedLLM([call("sector", {"sector": "x", "top_n": 3}), "ok"])
    reply = await make_agent(llm, max_concurrency=1).achat("sector")
    calls = sorted((e.started_at, e.finished_at) for e in reply.events if isinstance(e, ToolCallFinished))
    assert all(prev[1] <= nxt[0] for prev, nxt in zip(calls, calls[1:]))


async def test_invalid_calls_are_fed_back_and_repaired(make_agent):
    llm = ScriptedLLM([
        call("compair", {"symbol1": "AAA"}),
        call("compare", '{"symbol1": "AAA"'),
        call("compare", {"symbol1": "AAA", "symbol2": "BBB"}),
        "done",
    ])
    reply = await make_agent(llm, max_repairs=2).achat("compare AAA BBB")
    rejected = [e for e in reply.events if isinstance(e, RouteRejected)]
    assert [r.attempt for r in rejected] == [1, 2]
    assert "'compair' is not a function you can call" in rejected[0].errors[0]
    assert "not a valid JSON object" in rejected[1].errors[0]
    assert reply.ok and reply.calls[0]["arguments"] == {"symbol1": "AAA", "symbol2": "BBB"}
    fed_back = llm.requests[1].messages
    assert fed_back[-2].role == "assistant" and fed_back[-2].tool_calls[0].name == "compair"
    assert fed_back[-1].role == "tool" and "compair" in fed_back[-1].content
    assert llm.requests[2].messages[-1].content.startswith("Invalid call.")


async def test_repairs_are_bounded_then_the_user_gets_a_clear_message(make_agent):
    bad = call("compare", {"symbol1": 5})
    llm = ScriptedLLM([bad, bad, bad])
    agent = make_agent(llm, max_repairs=2)
    reply = await agent.achat("compare")
    assert not reply.ok and "could not produce a valid call after 3 attempts" in reply.error
    assert "symbol2: Field required" in reply.error
    llm.assert_complete()
    assert len(agent.session.memory) == 0  # a failed turn leaves no trace in the history


async def test_failed_tool_gives_a_partial_result_that_says_what_is_missing(make_agent):
    llm = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BAD"}), "partial"])
    reply = await make_agent(llm).achat("compare AAA and BAD")
    finished = next(e for e in reply.events if isinstance(e, OrchestrationFinished))
    assert finished.tables["prices"]["rows"] == [["AAA", 10.0]]
    assert any("no such symbol" in m for m in finished.missing)
    assert "no such symbol" in llm.requests[1].messages[-1].content


async def test_memory_carries_earlier_turns_and_sessions_are_separate(make_agent):
    llm = ScriptedLLM(["first answer", "second answer", "other session"])
    agent = make_agent(llm)
    await agent.achat("first question")
    await agent.achat("second question")
    other = agent.new_session()
    await agent.achat("hello", session=other)
    assert [m.content for m in llm.requests[1].messages[1:]] == ["first question", "first answer", "second question"]
    assert [m.content for m in llm.requests[2].messages[1:]] == ["hello"]
    agent.reset()
    assert len(agent.session.memory) == 0


async def test_backend_failure_ends_the_turn_cleanly_and_the_session_goes_on(make_agent):
    llm = ScriptedLLM([LLMServerError("HTTP 500"), "recovered"])
    agent = make_agent(llm)
    failed = await agent.achat("q1")
    assert isinstance(failed.events[-1], ErrorEvent) and "HTTP 500" in failed.error
    assert len(agent.session.memory) == 0
    assert (await agent.achat("q2")).text == "recovered"


async def test_empty_query_is_refused_without_a_model_call(make_agent):
    llm = ScriptedLLM([])
    reply = await make_agent(llm).achat("   ")
    assert reply.error == "Please type a question." and llm.requests == []


def test_sync_chat_works_outside_an_event_loop(make_agent):
    llm = ScriptedLLM(["hi"])
    assert make_agent(llm).chat("hello").text == "hi"


async def test_routing_and_analysis_models_can_differ(make_agent):
    router = ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"})], model="small")
    analyst = ScriptedLLM(["deep analysis"], model="large")
    reply = await make_agent(router, analysis_llm=analyst).achat("compare")
    assert reply.text == "deep analysis"
    router.assert_complete(); analyst.assert_complete()


async def test_atomic_tools_can_be_offered_to_the_router(make_agent):
    from tests.agent.conftest import quote  # noqa: F401  (same module object as the fixture's)

    llm = ScriptedLLM([call("quote", {"symbol": "AAA"}), "AAA trades at 10."])
    reply = await make_agent(llm, offer_tools=True).achat("price of AAA?")
    assert {t.name for t in llm.requests[0].tools} == {"compare", "sector", "quote", "sector_members"}
    assert reply.tool_calls[0]["tool"] == "quote" and reply.text == "AAA trades at 10."


async def test_route_only_runs_nothing(make_agent):
    llm = ScriptedLLM([call("sector", {"sector": "energy"})])
    outcome = await make_agent(llm).route("energy sector")
    assert [r.name for r in outcome.routes] == ["sector"] and outcome.routes[0].arguments() == {"sector": "energy", "top_n": 3}
