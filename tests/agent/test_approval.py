"""Approval before side effects: a paused turn, denial, the in-process callback, approval in another process."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent.events import ApprovalRequested, FinalAnswer, ToolCallFinished
from agent.sessions import SQLiteSessionStore
from agent.testing import ScriptedLLM, call

from .approval_app import build, orders

ROOT = Path(__file__).resolve().parents[2]
BUY = call("trade", {"symbol": "AAA", "quantity": 5})


@pytest.fixture(autouse=True)
def orders_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERS_FILE", str(tmp_path / "orders.jsonl"))


async def test_a_tool_needing_approval_pauses_the_turn_before_it_runs(tmp_path):
    llm = ScriptedLLM([BUY])
    agent = build(llm, tmp_path / "s.sqlite")
    events = [e async for e in agent.astream("Buy 5 AAA", session="desk")]
    assert isinstance(events[-1], ApprovalRequested) and not any(isinstance(e, FinalAnswer) for e in events)
    (waiting,) = events[-1].calls
    assert waiting["kind"] == "tool" and waiting["name"] == "place_order"
    assert waiting["arguments"] == {"symbol": "AAA", "quantity": 5} and waiting["id"].startswith("ap_")
    assert events[-1].session == "desk"
    assert orders() == []  # nothing ran
    state = SQLiteSessionStore(tmp_path / "s.sqlite").pending("desk")
    assert state["query"] == "Buy 5 AAA" and state["waiting"] == [waiting]
    assert [r["tool"] for r in state["results"]] == ["quote"]  # what ran before the pause is kept
    llm.assert_complete()


async def test_the_reply_of_a_paused_turn_lists_the_pending_calls(tmp_path):
    agent = build(ScriptedLLM([BUY]), tmp_path / "s.sqlite")
    reply = await agent.achat("Buy 5 AAA")
    assert reply.paused and reply.ok and reply.text == ""
    assert [c["name"] for c in reply.pending] == ["place_order"]
    assert reply.to_dict()["pending"] == reply.pending


async def test_a_denied_tool_never_runs_and_the_model_is_told(tmp_path):
    llm = ScriptedLLM([BUY, "The order was not placed."])
    agent = build(llm, tmp_path / "s.sqlite")
    await agent.achat("Buy 5 AAA", session="desk")
    reply = await agent.aresume("desk", approve={"place_order": False})
    assert reply.text == "The order was not placed." and reply.ok and not reply.paused
    assert orders() == []
    denied = [c for c in reply.tool_calls if c["tool"] == "place_order"]
    assert denied and not denied[0]["ok"] and "denied" in denied[0]["error"]
    prompt = llm.requests[-1].messages[-1].content
    assert "place_order was not run: the user denied this call" in prompt
    assert len(llm.requests) == 2  # no new routing call: the turn went on from its routes
    assert SQLiteSessionStore(tmp_path / "s.sqlite").pending("desk") is None


async def test_a_call_left_out_of_approve_is_denied(tmp_path):
    agent = build(ScriptedLLM([BUY, "Not placed."]), tmp_path / "s.sqlite")
    await agent.achat("Buy 5 AAA", session="desk")
    await agent.aresume("desk", approve={})
    assert orders() == []


async def test_an_approval_given_in_another_process_resumes_the_turn(tmp_path):
    store = tmp_path / "s.sqlite"
    llm = ScriptedLLM([BUY])
    reply = await build(llm, store).achat("Buy 5 AAA", session="desk")
    (waiting,) = reply.pending
    done = subprocess.run(
        [sys.executable, "-m", "tests.agent.approval_app", str(store), "desk", json.dumps({waiting["id"]: True}), "Bought 5 AAA."],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    resumed = json.loads(done.stdout.strip().splitlines()[-1])
    assert resumed["answer"] == "Bought 5 AAA." and resumed["pending"] == [] and resumed["error"] is None
    assert orders() == [{"symbol": "AAA", "quantity": 5}]  # ran once, in the second process
    ran = [c["tool"] for c in resumed["tool_calls"]]
    assert ran.count("place_order") == 1
    turns = SQLiteSessionStore(store).load("desk")
    assert [(t.question, t.answer) for t in turns] == [("Buy 5 AAA", "Bought 5 AAA.")]
    assert turns[0].calls == [{"name": "trade", "arguments": {"symbol": "AAA", "quantity": 5}}]
    assert resumed["usage"]["requests"] == 2  # the routing call before the pause and the answer after it


async def test_a_turn_is_resumed_once(tmp_path):
    agent = build(ScriptedLLM([BUY, "Bought."]), tmp_path / "s.sqlite")
    await agent.achat("Buy 5 AAA", session="desk")
    await agent.aresume("desk", approve={"place_order": True})
    again = await agent.aresume("desk", approve={"place_order": True})
    assert again.error and "waits for approval" in again.error
    assert len(orders()) == 1


async def test_an_unknown_approval_key_is_refused_and_the_paused_turn_kept(tmp_path):
    agent = build(ScriptedLLM([BUY]), tmp_path / "s.sqlite")
    await agent.achat("Buy 5 AAA", session="desk")
    with pytest.raises(KeyError, match="no waiting call"):
        await agent.aresume("desk", approve={"send_money": True})
    assert SQLiteSessionStore(tmp_path / "s.sqlite").pending("desk") is not None


async def test_an_orchestration_needing_approval_pauses_as_one_call():
    llm = ScriptedLLM([call("announce", {"text": "hello team"}), "Posted."])
    agent = build(llm)
    reply = await agent.achat("Tell the team hello")
    assert reply.pending == [{"id": reply.pending[0]["id"], "kind": "orchestration", "name": "announce",
                              "arguments": {"text": "hello team"}, "orchestration": None}]
    assert orders() == []
    reply = await agent.aresume(agent.session, approve={reply.pending[0]["id"]: True})
    assert reply.text == "Posted." and orders() == [{"announce": "hello team"}]


async def test_a_denied_orchestration_is_not_run_and_the_model_is_told():
    llm = ScriptedLLM([call("announce", {"text": "hello"}), "I did not post it."])
    agent = build(llm)
    await agent.achat("Tell the team hello")
    reply = await agent.aresume(agent.session, approve={"announce": False})
    assert reply.text == "I did not post it." and orders() == []
    assert "announce was not run: the user denied this call" in llm.requests[-1].messages[-1].content


async def test_the_in_process_callback_decides_without_pausing():
    asked = []

    async def approve(pending):
        asked.append(pending.name)
        return pending.arguments["quantity"] <= 10

    agent = build(ScriptedLLM([BUY, "Bought.", call("trade", {"symbol": "BBB", "quantity": 500}), "Refused."]), approve=approve)
    assert (await agent.achat("Buy 5 AAA")).text == "Bought."
    assert (await agent.achat("Buy 500 BBB")).text == "Refused."
    assert asked == ["place_order", "place_order"] and orders() == [{"symbol": "AAA", "quantity": 5}]


async def test_a_callback_returning_none_pauses():
    agent = build(ScriptedLLM([BUY]), approve=lambda pending: None)
    assert (await agent.achat("Buy 5 AAA")).paused


async def test_a_react_loop_pauses_on_its_tool_call_and_resumes():
    research = call("research", {"task": "buy 2 BBB", "max_steps": 3})
    step = call("place_order", {"symbol": "BBB", "quantity": 2})
    # before the pause: routing, the loop's first step; after: the loop runs again from its start
    llm = ScriptedLLM([research, step, step, "Bought 2 BBB."])
    agent = build(llm)
    reply = await agent.achat("Buy 2 BBB")
    assert [c["name"] for c in reply.pending] == ["place_order"] and orders() == []
    reply = await agent.aresume(agent.session, approve={"place_order": True})
    assert reply.text == "Bought 2 BBB." and orders() == [{"symbol": "BBB", "quantity": 2}]
    observation = llm.requests[-1].messages[-1].content
    assert '"order":1' in observation
    events = [e for e in reply.events if isinstance(e, ToolCallFinished) and e.tool == "place_order"]
    assert len(events) == 1 and events[0].ok
