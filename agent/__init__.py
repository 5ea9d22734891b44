"""The driver: `Agent` routes questions onto orchestrations through function calling."""

from agent._agent import Agent, RoutingOutcome, Session
from agent._reply import AgentReply
from agent.events import Event

__all__ = ["Agent", "AgentReply", "RoutingOutcome", "Session", "Event"]
