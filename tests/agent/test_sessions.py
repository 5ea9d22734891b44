"""Sessions that persist: the SQLite store (several processes at once), named sessions of an Agent."""

import multiprocessing
import sqlite3

import pytest

from agent import Agent
from agent._memory import TurnRecord
from agent.sessions import InMemorySessionStore, SessionNameError, SessionStore, SQLiteSessionStore
from agent.testing import ScriptedLLM, call

from .conftest import Compare, Sector, quote, sector_members


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path):
    return SQLiteSessionStore(tmp_path / "sessions.sqlite") if request.param == "sqlite" else InMemorySessionStore()


def test_both_stores_follow_the_protocol(store):
    assert isinstance(store, SessionStore)


def test_turns_round_trip_in_order_with_their_calls(store):
    store.append("alice", TurnRecord("q1", "a1", [{"name": "compare", "arguments": {"symbol1": "A", "symbol2": "B"}}], at=1.0))
    store.append("alice", TurnRecord("q2", "a2"))
    store.append("bob", TurnRecord("other", "x"))
    turns = store.load("alice")
    assert [(t.question, t.answer) for t in turns] == [("q1", "a1"), ("q2", "a2")]
    assert turns[0].calls == [{"name": "compare", "arguments": {"symbol1": "A", "symbol2": "B"}}] and turns[0].at == 1.0
    infos = {i.name: i for i in store.sessions()}
    assert infos["alice"].turns == 2 and infos["bob"].turns == 1 and not infos["alice"].pending
    assert store.load("nobody") == []


def test_delete_forgets_turns_and_pending(store):
    store.append("s", TurnRecord("q", "a"))
    store.save_pending("s", {"query": "q"})
    assert store.delete("s") is True
    assert store.load("s") == [] and store.pending("s") is None
    assert "s" not in [i.name for i in store.sessions()]
    assert store.delete("s") is False


def test_a_pending_turn_is_claimed_once(store):
    store.save_pending("s", {"query": "q", "waiting": [{"id": "ap_1"}]})
    assert store.sessions()[0].pending
    assert store.pending("s") == {"query": "q", "waiting": [{"id": "ap_1"}]}  # peeking leaves it
    assert store.claim_pending("s") == {"query": "q", "waiting": [{"id": "ap_1"}]}
    assert store.claim_pending("s") is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\nname"])
def test_bad_session_names_are_refused(store, name):
    with pytest.raises(SessionNameError):
        store.append(name, TurnRecord("q", "a"))


def test_the_sqlite_store_is_in_wal_mode(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite")
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _append_many(path: str, worker: int, n: int) -> None:
    store = SQLiteSessionStore(path)
    for i in range(n):
        store.append("shared", TurnRecord(f"w{worker}-q{i}", f"w{worker}-a{i}"))
        store.append(f"own-{worker}", TurnRecord(f"q{i}", f"a{i}"))


def test_several_processes_append_to_one_store_at_once_and_nothing_is_lost(tmp_path):
    path = str(tmp_path / "shared.sqlite")
    SQLiteSessionStore(path)
    workers, n = 4, 40
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(path, w, n)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * workers
    store = SQLiteSessionStore(path)
    shared = store.load("shared")
    assert len(shared) == workers * n
    assert {t.question for t in shared} == {f"w{w}-q{i}" for w in range(workers) for i in range(n)}
    for w in range(workers):  # each writer's own order is kept
        mine = [t.question for t in shared if t.question.startswith(f"w{w}-")]
        assert mine == [f"w{w}-q{i}" for i in range(n)]
        assert len(store.load(f"own-{w}")) == n


def _agent(llm, store):
    return Agent(llm, orchestrations=[Compare, Sector], tools=[quote, sector_members], store=store)


async def test_a_named_session_continues_in_a_new_agent(tmp_path):
    path = tmp_path / "s.sqlite"
    first = _agent(ScriptedLLM([call("compare", {"symbol1": "AAA", "symbol2": "BBB"}), "AAA is cheaper."]), SQLiteSessionStore(path))
    reply = await first.achat("Compare AAA and BBB", session="desk")
    assert reply.text == "AAA is cheaper."

    llm = ScriptedLLM(["It was AAA."])  # a new agent, as after a restart
    second = _agent(llm, SQLiteSessionStore(path))
    reply = await second.achat("Which was cheaper?", session="desk")
    assert reply.text == "It was AAA."
    contents = [m.content for m in llm.requests[0].messages]
    assert "Compare AAA and BBB" in contents and "AAA is cheaper." in contents
    turns = SQLiteSessionStore(path).load("desk")
    assert [t.question for t in turns] == ["Compare AAA and BBB", "Which was cheaper?"]
    assert turns[0].calls == [{"name": "compare", "arguments": {"symbol1": "AAA", "symbol2": "BBB"}}]
    assert turns[1].calls == []


async def test_a_named_session_sees_turns_another_writer_added_meanwhile(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite")
    llm = ScriptedLLM(["one", "two"])
    agent = _agent(llm, store)
    session = agent.open_session("team")
    await agent.achat("first", session=session)
    store.append("team", TurnRecord("from another worker", "noted"))
    await agent.achat("second", session=session)
    contents = [m.content for m in llm.requests[1].messages]
    assert contents.index("first") < contents.index("from another worker") < contents.index("second")
    assert len(store.load("team")) == 3


async def test_reset_of_a_named_session_forgets_it_in_the_store(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite")
    agent = _agent(ScriptedLLM(["one"]), store)
    session = agent.open_session("gone")
    await agent.achat("first", session=session)
    agent.reset(session)
    assert store.load("gone") == [] and len(session.memory) == 0


async def test_an_unnamed_session_writes_nothing_to_the_store():
    store = InMemorySessionStore()
    agent = _agent(ScriptedLLM(["one"]), store)
    await agent.achat("hello")
    assert store.sessions() == [] and len(agent.session.memory) == 2


async def test_a_failed_turn_is_not_stored(tmp_path):
    store = SQLiteSessionStore(tmp_path / "s.sqlite")
    agent = _agent(ScriptedLLM([call("nope", {})] * 3), store)
    reply = await agent.achat("x", session="s")
    assert reply.error and store.load("s") == []
