"""Record then replay agent runs with ScriptedLLM: round trip, fan-out, mismatches, modes, errors."""

from __future__ import annotations

import asyncio
import json
import random

import pytest

from agent.llm import LLMServerError
from agent.replay import Cassette, CassetteMismatchError, CassetteNotFoundError, UnusedRecordingsError
from agent.testing import ScriptedLLM, call

from .conftest import comparable

QUESTION = "Compare AAA, BBB and BAD, and tick three times"
ROUTE = {"symbols": ["AAA", "BBB", "AAA", "BAD"]}


async def record(path, make_agent, answer="AAA and BBB look steady.", question=QUESTION):
    llm = ScriptedLLM([call("fanout", ROUTE), answer])
    cassette = Cassette(path, mode="record")
    reply = await make_agent(llm, cassette).achat(question)
    cassette.close()
    llm.assert_complete()
    return reply, llm


async def test_round_trip_replays_calls_answer_and_tables_without_llm_or_tools(tmp_path, make_agent, live_tools):
    path = tmp_path / "run.json"
    recorded, llm = await record(path, make_agent)
    assert recorded.ok and recorded.calls == [{"name": "fanout", "arguments": ROUTE}]
    data = json.loads(path.read_text())
    assert data["format_version"] == 1
    kinds = [(e["kind"], e.get("tool") or e.get("method")) for e in data["entries"]]
    assert kinds[0] == ("llm", "complete") and kinds[-1] == ("llm", "stream")
    assert sorted(k for k in kinds if k[0] == "tool") == [("tool", "price")] * 3 + [("tool", "tick")] * 3
    assert path.read_text().startswith('{\n  "format_version": 1')  # indented, human-readable
    bad = next(e for e in data["entries"] if e.get("arguments") == {"symbol": "BAD"})
    assert bad["error"] == {"kind": "not_found", "message": "unknown symbol BAD", "transient": False}

    live_tools["allowed"] = False
    cassette = Cassette(path, mode="replay")
    replayed = await make_agent(None, cassette).achat(QUESTION)
    cassette.close()  # strict: everything used, nothing mismatched
    assert comparable(replayed) == comparable(recorded)
    assert [e.text for e in replayed.events if type(e).__name__ == "TokenDelta"] == \
        [e.text for e in recorded.events if type(e).__name__ == "TokenDelta"]
    failed = [c for c in comparable(replayed)["tool_calls"] if not c["ok"]]
    assert failed == [{"tool": "price", "arguments": {"symbol": "BAD"}, "ok": False, "error": "unknown symbol BAD",
                       "orchestration": "fanout"}]


async def test_concurrent_fan_out_replays_identically_twenty_times(tmp_path, make_agent, live_tools):
    path = tmp_path / "fanout.json"
    recorded, llm = await record(path, make_agent)
    ticks = json.loads(llm.requests[1].messages[-1].content.split('"ticks": ')[1].split("]")[0] + "]")
    assert sorted(ticks) == ticks and len(set(ticks)) == 3  # identical non-cached calls got distinct values

    live_tools["allowed"] = False
    outcomes = []
    for run in range(20):
        cassette = Cassette(path, mode="replay")
        replay_executor = cassette.tool_executor
        rng = random.Random(run)

        async def jittered(tool, args):  # different completion order on every run
            value = await replay_executor(tool, args)
            await asyncio.sleep(rng.random() * 0.005)
            return value

        agent = make_agent(cassette.wrap_llm(None), tool_executor=jittered)
        reply = await agent.achat(QUESTION)
        cassette.close()
        outcomes.append(comparable(reply))
    assert all(o == comparable(recorded) for o in outcomes)


async def test_changed_prompt_fails_with_a_readable_diff(tmp_path, make_agent, live_tools):
    path = tmp_path / "run.json"
    await record(path, make_agent)
    live_tools["allowed"] = False
    cassette = Cassette(path, mode="replay")
    agent = make_agent(None, cassette, system_prompt="You route questions. Be brief.")
    with pytest.raises(CassetteMismatchError) as info:
        await agent.achat(QUESTION)
    text = str(info.value)
    assert "matches no recording" in text and "Nearest: recording #0" in text
    assert '+      "content": "You route questions. Be brief."' in text
    assert "--- recorded #0" in text and "+++ actual request" in text
    with pytest.raises(CassetteMismatchError):
        cassette.close()  # the mismatch is also reported at the end


async def test_changed_tool_arguments_fail_at_close_with_a_diff(tmp_path, make_agent, live_tools):
    path = tmp_path / "run.json"
    await record(path, make_agent)
    data = json.loads(path.read_text())
    data["entries"][0]["response"]["message"]["tool_calls"][0]["arguments"] = json.dumps({"symbols": ["AAA", "CCC", "AAA", "BAD"]})
    path.write_text(json.dumps(data, indent=2))
    live_tools["allowed"] = False
    cassette = Cassette(path, mode="replay")
    # the tool runner turns the tool mismatch into a failed call; the synthesis request then differs too
    with pytest.raises(CassetteMismatchError, match="LLM request"):
        await make_agent(None, cassette).achat(QUESTION)
    with pytest.raises(CassetteMismatchError) as info:
        cassette.close()
    assert str(info.value).startswith("2 requests did not match")
    assert str(info.value).index("tool call price matches no recording") < str(info.value).index("LLM request")
    assert '-    "symbol": "BBB"' in str(info.value) and '+    "symbol": "CCC"' in str(info.value)


async def test_unused_recordings_fail_at_close(tmp_path, make_agent, live_tools):
    path = tmp_path / "two.json"
    llm = ScriptedLLM(["P/E is price over earnings.", "EV/EBITDA compares enterprise value to EBITDA."])
    cassette = Cassette(path, mode="record")
    agent = make_agent(llm, cassette)
    await agent.achat("What is P/E?")
    await agent.achat("What is EV/EBITDA?")
    cassette.close()

    cassette = Cassette(path, mode="replay")
    reply = await make_agent(None, cassette).achat("What is P/E?")
    assert reply.text == "P/E is price over earnings."
    with pytest.raises(UnusedRecordingsError) as info:
        cassette.close()
    assert len(info.value.unused) == 1 and "What is EV/EBITDA?" in info.value.unused[0]

    lenient = Cassette(path, mode="replay", strict=False)
    await make_agent(None, lenient).achat("What is P/E?")
    lenient.close()  # not strict: leftovers are fine


async def test_repeating_a_request_more_often_than_recorded_says_so(tmp_path, make_agent):
    path = tmp_path / "once.json"
    cassette = Cassette(path, mode="record")
    await make_agent(ScriptedLLM(["Hi."]), cassette).achat("Hello")
    cassette.close()
    cassette = Cassette(path, mode="replay")
    assert (await make_agent(None, cassette).achat("Hello")).text == "Hi."
    with pytest.raises(CassetteMismatchError, match="all already replayed"):
        await make_agent(None, cassette).achat("Hello")


async def test_backend_errors_replay_as_the_same_llm_error(tmp_path, make_agent, live_tools):
    path = tmp_path / "error.json"
    llm = ScriptedLLM([call("fanout", ROUTE), LLMServerError("http://x failed with HTTP 503: overloaded")])
    cassette = Cassette(path, mode="record")
    recorded = await make_agent(llm, cassette).achat(QUESTION)
    cassette.close()
    assert recorded.error and "503" in recorded.error
    live_tools["allowed"] = False
    cassette = Cassette(path, mode="replay")
    replayed = await make_agent(None, cassette).achat(QUESTION)
    cassette.close()
    assert comparable(replayed) == comparable(recorded)


async def test_once_mode_records_when_missing_then_replays(tmp_path, make_agent, live_tools):
    path = tmp_path / "sub" / "once.json"
    first = Cassette(path, mode="once")
    assert first.mode == "record"
    recorded = await make_agent(ScriptedLLM([call("fanout", ROUTE), "Done."]), first).achat(QUESTION)
    first.close()
    live_tools["allowed"] = False
    second = Cassette(path, mode="once")
    assert second.mode == "replay"
    assert comparable(await make_agent(None, second).achat(QUESTION)) == comparable(recorded)
    second.close()


def test_replay_of_a_missing_file_says_how_to_record(tmp_path):
    with pytest.raises(CassetteNotFoundError, match="record it first"):
        Cassette(tmp_path / "nope.json", mode="replay")


async def test_live_llm_against_recorded_tool_results(tmp_path, make_agent, live_tools):
    path = tmp_path / "run.json"
    await record(path, make_agent)
    live_tools["allowed"] = False  # tools come from the cassette, the LLM runs for real
    llm = ScriptedLLM([call("fanout", ROUTE), "A different analysis."])
    cassette = Cassette(path, mode="replay", llm="live")
    reply = await make_agent(llm, cassette).achat(QUESTION)
    cassette.close()  # recorded LLM entries are not expected to be used
    assert reply.text == "A different analysis." and len(llm.requests) == 2
    assert "| AAA |" in llm.requests[1].messages[-1].content


async def test_recorded_llm_against_live_tools(tmp_path, make_agent, live_tools):
    path = tmp_path / "run.json"
    recorded, _ = await record(path, make_agent)
    cassette = Cassette(path, mode="replay", tools="live")
    # the tick counter moved on, so the synthesis prompt differs: the recorded LLM side notices
    with pytest.raises(CassetteMismatchError, match=r'(?s)"ticks".*\n-\s+\d+,.*\n\+\s+\d+,'):
        await make_agent(None, cassette).achat(QUESTION)


async def test_tool_call_ids_and_timestamps_are_not_part_of_the_key(tmp_path):
    from agent.llm import LLMRequest, Message, ToolCall

    def request(call_id: str, stamp: str) -> LLMRequest:
        tc = ToolCall(call_id, "price", '{"symbol": "AAA"}')
        return LLMRequest([Message.user(f"now {stamp}"), Message.assistant(None, [tc]), Message.tool(tc, "{}")])

    path = tmp_path / "ids.json"
    cassette = Cassette(path, mode="record")
    await cassette.wrap_llm(ScriptedLLM(["ok"])).complete(request("call_abc", "2024-05-01T10:00:00Z"))
    cassette.close()
    cassette = Cassette(path, mode="replay")
    response = await cassette.wrap_llm().complete(request("call_xyz", "2025-01-02T11:12:13Z"))
    cassette.close()
    assert response.text == "ok"


async def test_concurrent_calls_finish_in_their_recorded_order(tmp_path, make_agent, live_tools):
    """`missing` (and so the synthesis prompt) lists failures as they finish: a replay keeps that order."""
    from pydantic import BaseModel

    from orchestrations import Orchestration, OrchestrationData, RunContext
    from tools import ToolError, tool

    @tool
    async def slow_fail(name: str, delay: float) -> int:
        """Fails after a delay."""
        await asyncio.sleep(delay)
        raise ToolError(f"{name} failed", kind="unavailable")

    class FailParams(BaseModel):
        n: int

    class Failing(Orchestration):
        name = "failing"
        description = "Two failing sources."
        Params = FailParams

        async def gather(self, params, ctx: RunContext) -> OrchestrationData:
            await ctx.gather(ctx.fetch(slow_fail, name="first", delay=0.05), ctx.fetch(slow_fail, name="second", delay=0.0),
                             ctx.fetch(price, symbol="AAA"))
            return OrchestrationData(missing=list(ctx.missing))

    from .conftest import price

    kw = {"orchestrations": [Failing], "tools": [slow_fail, price]}
    path = tmp_path / "order.json"
    llm = ScriptedLLM([call("failing", {"n": 1}), "Partial data."])
    cassette = Cassette(path, mode="record")
    recorded = await make_agent(llm, cassette, **kw).achat("go")
    cassette.close()
    prompt = llm.requests[1].messages[-1].content
    assert prompt.index("second failed") < prompt.index("first failed")

    live_tools["allowed"] = False
    for _ in range(5):
        cassette = Cassette(path, mode="replay")
        replayed = await make_agent(None, cassette, **kw).achat("go")
        cassette.close()  # strict: the synthesis request matched, failures in the recorded order
        assert [c["tool"] for c in replayed.tool_calls] == [c["tool"] for c in recorded.tool_calls]
        assert replayed.text == "Partial data."
