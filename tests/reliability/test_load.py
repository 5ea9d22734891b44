"""7. Load: 50 concurrent sessions on one Agent, no cross-talk, no lost events."""

import asyncio
import re

from agent import Agent
from agent.events import FinalAnswer, OrchestrationFinished, ToolCallFinished, ToolCallStarted
from agent.testing import ScriptedLLM, call
from agent import load_defaults

load_defaults()
SYMBOLS = ["AAPL", "MSFT", "JPM", "BAC", "KO", "PFE", "XOM", "JNJ", "TSLA", "AMZN"]


def model(request):
    """Routes each session's question to a health check of the ticker it names; echoes it in the analysis."""
    last = request.messages[-1].content
    symbol = re.search(r"session-\d+ ([A-Z]+)", last).group(1)  # the question, quoted in the analysis prompt too
    if request.tool_choice == "none":
        assert f"- {symbol}'s " in last  # the analysis sees this session's own findings
        return f"analysis of {symbol}"
    return call("financial_health_assessment", {"symbol": symbol})


async def test_fifty_concurrent_sessions_do_not_cross_talk():
    llm = ScriptedLLM([model] * 200)
    agent = Agent(llm)
    sessions = [agent.new_session() for _ in range(50)]

    async def converse(i, session):
        symbols = [SYMBOLS[i % 10], SYMBOLS[(i + 3) % 10]]
        replies = []
        for symbol in symbols:
            events = [e async for e in agent.astream(f"health of session-{i} {symbol}", session)]
            replies.append((symbol, events))
        return i, replies

    results = await asyncio.gather(*(converse(i, s) for i, s in enumerate(sessions)))
    for i, replies in results:
        for symbol, events in replies:
            final = events[-1]
            assert isinstance(final, FinalAnswer) and final.text == f"analysis of {symbol}"
            started = [e for e in events if isinstance(e, ToolCallStarted)]
            finished = [e for e in events if isinstance(e, ToolCallFinished)]
            assert len(started) == len(finished) == 4 and {e.call_id for e in started} == {e.call_id for e in finished}
            assert all(e.arguments["symbol"] == symbol for e in finished)
            assert sum(isinstance(e, OrchestrationFinished) for e in events) == 1
        memory = [m.content for m in sessions[i].memory.messages]
        assert memory == [f"health of session-{i} {replies[0][0]}", f"analysis of {replies[0][0]}",
                          f"health of session-{i} {replies[1][0]}", f"analysis of {replies[1][0]}"]
    assert len(llm.requests) == 200 and len(agent.session.memory) == 0
