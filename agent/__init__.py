"""The driver: `Agent` routes questions onto orchestrations through function calling.

`build_agent()` gives the default finance agent (market tools, the seven orchestrations, grounding)
on the embedded local model; `build_agent("openai", model=...)` on any OpenAI-compatible API.
"""

from agent._agent import Agent, RoutingOutcome
from agent._build import build_agent, ground_query, load_defaults, make_llm
from agent._reply import AgentReply
from agent._session import Session
from agent.events import Event
from agent.limits import UsageLimits
from agent.sessions import SessionStore, SQLiteSessionStore

__all__ = [
    "Agent", "AgentReply", "RoutingOutcome", "Session", "Event", "build_agent", "make_llm", "load_defaults",
    "ground_query", "UsageLimits", "SessionStore", "SQLiteSessionStore",
]
