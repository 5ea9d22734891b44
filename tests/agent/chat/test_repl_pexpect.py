"""`finagent chat` driven in a real terminal (pexpect), as a person uses it: the embedded model,
snapshot data, the JPM/BAC question (two routed calls, their tool calls, tables, findings, an answer), then
/trace, /reset, /exit; and Ctrl-C cancelling a turn."""

from __future__ import annotations

import io
import os
import re
import sys
import time
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = [pytest.mark.local_model]

ROOT = Path(__file__).resolve().parents[3]
QUESTION = (
    "Considering the current economic climate, analyze the banking sector trends for the next 2 years and provide a "
    "comparative strategic investment analysis for JPMorgan Chase (JPM) and Bank of America (BAC)."
)
PROMPT = r"you>"  # prompt_toolkit moves the cursor after it: no literal space
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]|\r")
ORCHESTRATIONS = (
    "company_comparative_analysis", "strategic_investment_analysis", "company_competitive_analysis",
    "financial_health_assessment", "portfolio_recommendation", "sector_analysis", "market_trend_prediction",
)


def screen(log: io.StringIO) -> str:
    return ANSI.sub("", log.getvalue())


@pytest.fixture
def repl(tmp_path):
    """`finagent chat` in a pseudo-terminal; always terminated after the test."""
    log = io.StringIO()
    env = {**os.environ, "TERM": "xterm-256color", "FINAGENT_HISTORY": str(tmp_path / "history"),
           "FINAGENT_MAX_TOKENS": "24", "PROMPT_TOOLKIT_NO_CPR": "1", "COLUMNS": "160", "LINES": "50"}
    env.pop("OPENAI_API_KEY", None)
    child = pexpect.spawn(sys.executable, ["-m", "agent.cli", "chat", "--backend", "local", "--data", "snapshot"],
                          cwd=str(ROOT), env=env, encoding="utf-8", codec_errors="replace", timeout=120, dimensions=(50, 160))
    child.logfile_read = log
    try:
        yield child, log
    finally:
        if child.isalive():
            child.terminate(force=True)
        child.close()


def ask(child, text: str) -> None:
    child.send(text + "\r")


def test_a_session_in_a_real_terminal(repl, tmp_path):
    child, log = repl
    child.expect(PROMPT, timeout=180)  # the model is loaded
    assert "backend local" in screen(log) and "data snapshot" in screen(log)

    ask(child, QUESTION)
    child.expect(r"usage: [\d,]+ prompt \+ [\d,]+ completion", timeout=420)
    child.expect(PROMPT)
    shown = screen(log)
    routed = re.findall(r"→ route: (.+)", shown)
    assert routed, shown[-3000:]
    chosen = [name for name in ORCHESTRATIONS if name in routed[0]]
    # the question asks for two analyses: the banking sector's trend, then JPM vs BAC
    assert "company_comparative_analysis" in chosen, f"the headline question routed to {routed[0]}"
    assert {"market_trend_prediction", "sector_analysis"} & set(chosen), f"the headline question routed to {routed[0]}"
    assert "sector='Financials'" in routed[0], routed[0]
    # the question names JPM and BAC; grounding keeps every ticker argument to those two
    assert re.search(r"'(JPM|BAC)'", routed[0]) and not re.search(r"symbol\d?='(?!JPM'|BAC')", routed[0]), routed[0]
    for name in chosen:
        assert f"▸ {name} started" in shown and re.search(rf"■ {name} finished in \d+\.\d+s", shown)
    tool_lines = re.findall(r"✓ (get_\w+)\(.*?\) \d+\.\d{3}s", shown)
    assert len(tool_lines) >= 4, shown[-3000:]
    assert "┃ symbol" in shown  # a computed table rendered as a rich table
    answer = shown.split("answer:", 1)[1].split("usage:", 1)[0]
    assert len(answer.strip()) >= 10, answer
    # the findings come before the answer; under it, one line: every figure traced (the grammar sees to it)
    assert "findings:" in shown and shown.index("• ") < shown.index("answer:"), shown[-3000:]
    # (clause answers: every figure stands in a clause computed from the data, so traced and attributed)
    assert re.search(r"✓ (\d+ figures?, (each )?traced and attributed|\d+ figures traced to the data, \d+ attributed"
                     r"|no figures in the answer)", answer), answer
    assert "Traceback" not in shown

    ask(child, "/trace")
    child.expect("trace of the last turn")
    child.expect("FinalAnswer")
    child.expect(PROMPT)
    assert "RouteDecided" in screen(log) and "ToolCallFinished" in screen(log)
    export = tmp_path / "trace.json"
    ask(child, f"/trace {export}")
    child.expect("trace written to")
    child.expect(PROMPT)
    import json

    data = json.loads(export.read_text())
    assert data["calls"] and data["trace"][0]["type"] == "RouteDecided" and data["trace"][-1]["type"] == "FinalAnswer"

    ask(child, "/reset")
    child.expect("forgotten")
    child.expect(PROMPT)
    ask(child, "/backend")
    child.expect(r"backend: local \(SmolLM2")
    child.expect(PROMPT)
    ask(child, "/exit")
    child.expect("bye")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert QUESTION[:40] in (tmp_path / "history").read_text()  # the line went into the history file


def test_ctrl_c_cancels_the_turn_not_the_session_and_ctrl_d_quits(repl):
    child, log = repl
    child.expect(PROMPT, timeout=180)
    ask(child, "Compare JPM and BAC over 2 years")
    child.expect("routing the question", timeout=60)
    time.sleep(1)  # a person presses Ctrl-C while the turn runs, not in the same millisecond
    child.sendintr()
    child.expect(r"\(turn cancelled\)", timeout=60)
    child.expect(PROMPT, timeout=60)
    ask(child, "/nonsense")
    child.expect("unknown command /nonsense")
    child.expect(PROMPT)
    child.sendeof()  # Ctrl-D
    child.expect("bye", timeout=120)
    # the local backend cannot stop a generation midway: the cancelled step ends in its thread first
    child.expect(pexpect.EOF, timeout=300)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in screen(log)
