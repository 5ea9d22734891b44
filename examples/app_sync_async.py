"""The Python API inside an application: sync `chat`, async `achat`, and the `astream` events.

    python examples/app_sync_async.py            # OpenAI if OPENAI_API_KEY is set, else the embedded model

Data comes from the offline snapshot unless FINAGENT_DATA=fmp.
"""

from __future__ import annotations

import asyncio
import os

from agent import Agent, ground_query, load_defaults
from agent.events import FinalAnswer, OrchestrationFinished, RouteDecided, TokenDelta
from agent.llm import LLM
from tools import ToolCallFinished

QUESTION = "Compare JPMorgan Chase (JPM) and Bank of America (BAC) over the next 2 years."
FOLLOW_UP = "Which of the two looks more volatile?"


def default_llm() -> LLM:
    """OpenAI (or any compatible server via OPENAI_BASE_URL) when a key is set; else the local model."""
    from agent import make_llm

    return make_llm("openai") if os.environ.get("OPENAI_API_KEY") else make_llm("local")


def build_agent(llm: LLM | None = None) -> Agent:
    load_defaults()  # registers the market tools and the seven financial orchestrations
    return Agent(llm or default_llm(), grounder=ground_query)


def sync_part(agent: Agent) -> str:
    """In plain (non-async) code, `chat` blocks until the answer is ready."""
    reply = agent.chat(QUESTION)
    print("calls:", [c["name"] for c in reply.calls])
    print("tables:", list(reply.tables))
    print("answer:", reply.text[:300])
    print("usage:", reply.usage.to_dict())
    return reply.text


async def async_part(agent: Agent) -> list[str]:
    """Inside an event loop (a web app, a bot): `achat`, and `astream` to show progress as it happens."""
    session = agent.new_session()  # one conversation per user; sessions never share memory
    reply = await agent.achat(QUESTION, session)
    print("achat:", reply.ok, len(reply.text), "characters")

    seen: list[str] = []
    async for event in agent.astream(FOLLOW_UP, session):  # the follow-up sees the first turn
        seen.append(type(event).__name__)
        if isinstance(event, RouteDecided):
            print("route:", [c["name"] for c in event.calls] or "direct answer")
        elif isinstance(event, ToolCallFinished):
            print(f"  tool {event.tool} {event.duration_s * 1000:.0f} ms {'ok' if event.ok else event.error}")
        elif isinstance(event, OrchestrationFinished):
            print(f"  {event.name}: {len(event.tables)} tables in {event.duration_s:.2f}s")
        elif isinstance(event, TokenDelta):
            print(event.text, end="", flush=True)
        elif isinstance(event, FinalAnswer):
            print(f"\n  ({event.usage.total_tokens} tokens, {event.llm_calls} LLM calls)")
    return seen


def main(llm: LLM | None = None) -> dict:
    agent = build_agent(llm)
    text = sync_part(agent)  # no event loop is running here
    events = asyncio.run(async_part(agent))
    return {"sync_answer": text, "stream_events": events}


if __name__ == "__main__":
    main()
