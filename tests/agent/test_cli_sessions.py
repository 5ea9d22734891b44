"""`--session NAME` on `finagent ask` and `chat` outlives the process; `finagent sessions` manages the store."""

import io
import json
import os
import subprocess
import sys
from argparse import Namespace

import pytest
from rich.console import Console

from tests.http_stub import Reply, completion, stream_events

KEY = "sk-test-PLANTED-sessions-1234567890"


def finagent(*args, db, timeout=180, stdin=None, env=None):
    env = {**os.environ, "FINAGENT_SESSIONS": str(db), "OPENAI_API_KEY": KEY, **(env or {})}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, env=env, timeout=timeout, input=stdin)


def openai(stub_server):
    return ["--backend", "openai", "--base-url", stub_server.url + "/v1"]


def test_an_ask_session_outlives_its_process(stub_server, tmp_path):
    db = tmp_path / "sessions.sqlite"
    stub_server.add(Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JPM"})])),
                    Reply(sse=stream_events("JPM is healthy.")))
    first = finagent("ask", "How healthy is JPMorgan?", "--session", "desk", *openai(stub_server), db=db)
    assert first.returncode == 0, first.stderr
    stub_server.add(Reply(body=completion("Its net margin was the strongest figure.")))
    second = finagent("ask", "What was its best figure?", "--session", "desk", *openai(stub_server), db=db)
    assert second.returncode == 0, second.stderr
    assert "Its net margin was the strongest figure." in second.stdout
    routing = stub_server.requests[-1]["body"]["messages"]  # the second process's routing request
    contents = [m.get("content") for m in routing]
    assert "How healthy is JPMorgan?" in contents and "JPM is healthy." in contents and contents[-1] == "What was its best figure?"

    shown = finagent("sessions", "show", "desk", "--json", db=db)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["name"] == "desk" and data["pending"] == []
    assert [(t["question"], t["answer"]) for t in data["turns"]] == [
        ("How healthy is JPMorgan?", "JPM is healthy."), ("What was its best figure?", "Its net margin was the strongest figure.")]
    assert data["turns"][0]["calls"] == [{"name": "financial_health_assessment", "arguments": {"symbol": "JPM"}}]
    assert set(data["turns"][0]) == {"question", "answer", "calls", "at"} and data["turns"][0]["at"] > 0

    listed = json.loads(finagent("sessions", "list", "--json", db=db).stdout)
    assert [(s["name"], s["turns"], s["pending"]) for s in listed] == [("desk", 2, False)]
    assert "desk\t2 turn(s)" in finagent("sessions", "list", db=db).stdout

    assert finagent("sessions", "delete", "desk", db=db).returncode == 0
    gone = finagent("sessions", "show", "desk", db=db)
    assert gone.returncode == 1 and "no session named 'desk'" in gone.stderr and "Traceback" not in gone.stderr
    assert KEY not in json.dumps(data)


def test_without_session_nothing_is_stored(stub_server, tmp_path):
    db = tmp_path / "sessions.sqlite"
    stub_server.add(Reply(body=completion("Hello.")))
    assert finagent("ask", "hi", *openai(stub_server), db=db).returncode == 0
    assert json.loads(finagent("sessions", "list", "--json", db=db).stdout) == []


def test_a_bad_session_name_is_one_clear_line(tmp_path):
    result = finagent("sessions", "show", "bad\nname", db=tmp_path / "s.sqlite")
    assert result.returncode == 1 and "control characters" in result.stderr and "Traceback" not in result.stderr


def test_a_chat_session_continues_in_the_next_chat(stub_server, tmp_path):
    db = tmp_path / "sessions.sqlite"
    stub_server.add(Reply(body=completion("Nice to meet you, Ada.")))
    first = finagent("chat", "--session", "ada", *openai(stub_server), db=db, stdin="My name is Ada.\n/exit\n")
    assert first.returncode == 0, first.stderr
    stub_server.add(Reply(body=completion("You are Ada.")))
    second = finagent("chat", "--session", "ada", *openai(stub_server), db=db, stdin="Who am I?\n/exit\n")
    assert second.returncode == 0, second.stderr
    assert "session ada · 1 earlier turn(s)" in second.stdout and "You are Ada." in second.stdout
    contents = [m.get("content") for m in stub_server.requests[-1]["body"]["messages"]]
    assert "My name is Ada." in contents and "Nice to meet you, Ada." in contents


@pytest.mark.local_model
def test_an_ask_session_with_the_embedded_model_traced_over_otlp(tmp_path):
    from .otlp_receiver import OTLPReceiver

    db = tmp_path / "sessions.sqlite"
    with OTLPReceiver() as receiver:
        first = finagent("ask", "hello there", "--session", "local", "--json", db=db, timeout=900,
                         env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url})
        assert first.returncode == 0, first.stderr
        spans = receiver.spans()
    answer = json.loads(first.stdout)["answer"]
    turns = json.loads(finagent("sessions", "show", "local", "--json", db=db).stdout)["turns"]
    assert [(t["question"], t["answer"]) for t in turns] == [("hello there", answer)]
    (chat,) = [s for s in spans if s["attributes"].get("gen_ai.operation.name") == "chat"]
    assert chat["attributes"]["gen_ai.provider.name"] == "llama_cpp"
    assert chat["attributes"]["gen_ai.request.model"].startswith("SmolLM2")
    assert chat["attributes"]["gen_ai.usage.input_tokens"] > 0
    (turn,) = [s for s in spans if s["name"] == "invoke_agent finagent"]
    assert turn["attributes"]["gen_ai.conversation.id"] == "local" and chat["parent_id"] == turn["span_id"]


async def test_the_chat_asks_y_n_before_a_call_that_needs_approval(tmp_path, monkeypatch):
    from agent.chat._repl import ChatREPL
    from agent.testing import ScriptedLLM, call

    from .approval_app import build, orders

    monkeypatch.setenv("ORDERS_FILE", str(tmp_path / "orders.jsonl"))
    out = io.StringIO()
    repl = ChatREPL(Namespace(backend="local", model=None, base_url=None, debug=False, max_tokens=None), console=Console(file=out, width=120))
    repl.agent = build(ScriptedLLM([call("trade", {"symbol": "AAA", "quantity": 3}), "Bought 3 AAA.",
                                    call("trade", {"symbol": "BBB", "quantity": 1}), "Not bought."]))
    repl.session = repl.agent.session
    answers = iter(["y", "n"])

    async def read_line():
        return next(answers)

    repl.read_line = read_line
    await repl.turn("Buy 3 AAA")
    assert orders() == [{"symbol": "AAA", "quantity": 3}] and repl.last_reply.text == "Bought 3 AAA."
    await repl.turn("Buy 1 BBB")
    assert orders() == [{"symbol": "AAA", "quantity": 3}] and repl.last_reply.text == "Not bought."
    shown = out.getvalue()
    assert "approve place_order(symbol='AAA', quantity=3)? [y/N]" in shown and "Bought 3 AAA." in shown
