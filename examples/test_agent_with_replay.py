"""Testing an agent with the replay harness (`agent.replay.Cassette`).

Record a run once (a real model and real data), commit the cassette, and replay it in CI: the
replay needs no network, no model file and no market data, and fails if the agent's requests or
tool calls change. Run this file with pytest (`pytest examples/test_agent_with_replay.py`), or
`python examples/test_agent_with_replay.py` to record and replay in a temporary folder.

In a project's own tests the pytest plugin does the bookkeeping: a `cassette` fixture stored at
`<test dir>/cassettes/<module>/<test>.json`, recorded with `pytest --record-mode=once`:

    def test_compare(cassette):
        agent = Agent(cassette.wrap_llm(None if not cassette.recording else my_llm()),
                      tool_executor=cassette.tool_executor)
        ...
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from agent import Agent, AgentReply, ground_query, load_defaults
from agent.llm import LLM
from agent.replay import Cassette

QUESTION = "Compare JPMorgan Chase (JPM) and Bank of America (BAC) over the next 2 years."


def default_llm() -> LLM:
    from agent import make_llm

    return make_llm("openai") if os.environ.get("OPENAI_API_KEY") else make_llm("local")


def run(cassette: Cassette, llm: LLM | None) -> AgentReply:
    """One turn through the cassette: recording wraps the real `llm`, replaying needs none."""
    load_defaults()
    agent = Agent(cassette.wrap_llm(llm), grounder=ground_query, tool_executor=cassette.tool_executor)
    return agent.chat(QUESTION)


def record_then_replay(path: Path, llm: LLM) -> tuple[AgentReply, AgentReply]:
    with Cassette(path, mode="record") as cassette:  # writes the file when the block ends
        recorded = run(cassette, llm)
    with Cassette(path, mode="replay") as cassette:  # strict: every recording must be used
        replayed = run(cassette, None)
    return recorded, replayed


def check(recorded: AgentReply, replayed: AgentReply) -> None:
    assert recorded.ok, recorded.error
    assert replayed.text == recorded.text
    assert replayed.calls == recorded.calls
    made = lambda reply: sorted((c["tool"], str(c["arguments"]), c["ok"]) for c in reply.tool_calls)  # noqa: E731
    assert made(replayed) == made(recorded)  # concurrent calls: compare as a set, not in order
    assert replayed.tables == recorded.tables


def test_replay_matches_recording(tmp_path: Path) -> None:
    """Records with a scripted model (so this test is itself offline), then replays with no model."""
    from agent.testing import ScriptedLLM, call

    llm = ScriptedLLM([
        call("company_comparative_analysis", {"symbol1": "JPM", "symbol2": "BAC", "time_horizon": "2 years"}),
        "JPM grew faster than BAC over the period.",
    ])
    recorded, replayed = record_then_replay(tmp_path / "compare.json", llm)
    check(recorded, replayed)
    assert recorded.calls[0]["name"] == "company_comparative_analysis"


def main(llm: LLM | None = None, folder: str | os.PathLike[str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(folder or tmp) / "compare.json"
        recorded, replayed = record_then_replay(path, llm or default_llm())
        check(recorded, replayed)
        print(f"recorded {path.name}: calls {[c['name'] for c in recorded.calls]}, {len(recorded.tool_calls)} tool calls")
        print("replayed without model or data: same answer, calls, tool calls and tables")
        return {"calls": recorded.calls, "answer": replayed.text}


if __name__ == "__main__":
    main()
