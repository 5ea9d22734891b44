"""3. Faults from the LLM API during a turn: bounded retries, a clear error, history intact."""

from agent import Agent
from agent.llm.openai import OpenAIChat
from tests.http_stub import Reply, completion, stream_events
from tests.agent.conftest import Compare, quote

SECRET = "sk-test-PLANTED-llm-faults-000111"


def agent_for(server, **kw):
    llm = OpenAIChat("m", api_key=SECRET, base_url=server.url + "/v1", max_retries=2, backoff=0.01, timeout=1, **kw)
    return Agent(llm, orchestrations=[Compare], tools=[quote])


async def test_stream_cut_during_the_analysis_ends_the_turn_and_keeps_history_clean(stub_server):
    stub_server.add(
        Reply(body=completion("first answer")),
        Reply(body=completion(tool_calls=[("compare", {"symbol1": "AAA", "symbol2": "BBB"})])),
        Reply(sse=stream_events("AAA is cheaper than BBB by far"), cut_after=3),
        Reply(body=completion("third answer")),
    )
    agent = agent_for(stub_server)
    assert (await agent.achat("q1")).text == "first answer"
    failed = await agent.achat("compare AAA and BBB")
    assert not failed.ok and "broke off" in failed.error and SECRET not in failed.error
    assert [m.content for m in agent.session.memory.messages] == ["q1", "first answer"]
    assert (await agent.achat("q3")).text == "third answer"
    sent = stub_server.requests[-1]["body"]["messages"]
    assert [m["content"] for m in sent[1:]] == ["q1", "first answer", "q3"]


async def test_timeouts_are_retried_then_reported(stub_server):
    stub_server.add(*[Reply(body=completion("late"), delay=1.5) for _ in range(3)])
    failed = await agent_for(stub_server).achat("hello")
    assert not failed.ok and "did not answer in time" in failed.error
    assert len(stub_server.requests) == 3


async def test_429_storm_with_retry_after_then_success(stub_server):
    stub_server.add(Reply(429, {"error": {"message": "rate"}}, {"Retry-After": "0"}),
                    Reply(429, {"error": {"message": "rate"}}, {"Retry-After": "0"}), Reply(body=completion("ok")))
    assert (await agent_for(stub_server).achat("hello")).text == "ok"


async def test_garbage_from_the_api_is_a_clear_error(stub_server):
    stub_server.add(Reply(200, "<html>502 Bad Gateway</html>"), Reply(200, {"choices": []}))
    agent = agent_for(stub_server)
    for _ in range(2):
        failed = await agent.achat("hello")
        assert not failed.ok and "invalid reply" in failed.error
