"""What a finished turn returns: the answer, the calls made, tables, usage and the full trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agent.events import (
    ApprovalRequested,
    ErrorEvent,
    Event,
    FiguresChecked,
    FinalAnswer,
    OrchestrationFinished,
    RouteDecided,
    ToolCallFinished,
    event_to_dict,
)
from agent.grounding.request import named_tables
from agent.llm import Usage


@dataclass(slots=True)
class AgentReply:
    text: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, Any] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    llm_calls: int = 0
    error: str | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)
    """The orchestrations' findings (`{"text", "figures", "source"}`), in the order they finished."""
    figures: dict[str, Any] | None = None
    """The figures check of the final answer (`FiguresChecked` as a dict), if one ran."""
    pending: list[dict[str, Any]] = field(default_factory=list)
    """The calls waiting for approval when the turn paused (`ApprovalRequested.calls`); resume to finish."""
    events: list[Event] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def paused(self) -> bool:
        """The turn waits for approval of `pending` calls (`Agent.resume`)."""
        return bool(self.pending)

    @classmethod
    def from_events(cls, events: list[Event]) -> AgentReply:
        reply = cls(text="", events=events)
        for e in events:
            if isinstance(e, RouteDecided):
                reply.calls = e.calls
            elif isinstance(e, ToolCallFinished):
                reply.tool_calls.append(
                    {"tool": e.tool, "arguments": e.arguments, "ok": e.ok, "error": e.error,
                     "duration_s": round(e.duration_s, 4), "orchestration": e.orchestration}
                )
            elif isinstance(e, OrchestrationFinished):
                reply.tables.update(named_tables([(e.name, e.tables)], taken=reply.tables))
                reply.findings.extend(e.findings)
            elif isinstance(e, FiguresChecked):
                reply.figures = {**{k: v for k, v in event_to_dict(e).items() if k != "type"}, "ok": e.ok}
            elif isinstance(e, FinalAnswer):
                reply.text, reply.usage, reply.llm_calls = e.text, e.usage, e.llm_calls
            elif isinstance(e, ApprovalRequested):
                reply.pending = e.calls
            elif isinstance(e, ErrorEvent):
                reply.error = e.message
                reply.text = reply.text or e.message
        return reply

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer": self.text,
            "calls": self.calls,
            "tool_calls": self.tool_calls,
            "usage": self.usage.to_dict(),
            "llm_calls": self.llm_calls,
            "error": self.error,
            "findings": self.findings,
            "tables": self.tables,
            "figures": self.figures,
            "pending": self.pending,
        }

    def trace(self) -> list[dict[str, Any]]:
        return [event_to_dict(e) for e in self.events]
