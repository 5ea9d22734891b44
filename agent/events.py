"""Typed events streamed by `Agent.astream` (and recorded in a turn's trace)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Union

from agent.llm import Usage
from tools import ToolCallFinished, ToolCallStarted


@dataclass(slots=True)
class RouteDecided:
    """The routing model chose these calls (empty: it answers directly)."""

    calls: list[dict[str, Any]]
    """`[{"name": ..., "arguments": {...}}]`, validated."""
    attempts: int = 1


@dataclass(slots=True)
class RouteRejected:
    """A routing reply was invalid (unknown name, bad JSON, validation error); it is fed back."""

    errors: list[str]
    attempt: int


@dataclass(slots=True)
class OrchestrationStarted:
    name: str
    arguments: dict[str, Any]


@dataclass(slots=True)
class OrchestrationFinished:
    name: str
    arguments: dict[str, Any]
    duration_s: float
    tables: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    """What the data step could not get (failed tool calls): the result is partial."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    """What the data shows, computed in Python: `[{"text", "figures", "source"}]` (`Finding.to_dict`)."""


@dataclass(slots=True)
class TokenDelta:
    text: str


@dataclass(slots=True)
class FiguresChecked:
    """Every figure of the answer traced and attributed to the data, or flagged (`agent.grounding.FigureCheck.to_dict`)."""

    total: int
    traced: list[dict[str, str]] = field(default_factory=list)
    untraced: list[str] = field(default_factory=list)
    summary: str = ""
    rewritten: str | None = None
    """Set when the answer was rewritten to drop untraced figures: the new answer (checked here)."""
    flagged: list[dict[str, str]] = field(default_factory=list)
    """`{"figure", "problem", "detail"}` per flagged figure (`agent.grounding.PROBLEMS`)."""
    attributed: int = 0
    """Figures attached to the subject and measure of a labelled data point."""

    @property
    def ok(self) -> bool:
        return not self.untraced and not self.flagged


@dataclass(slots=True)
class FinalAnswer:
    text: str
    usage: Usage
    llm_calls: int


@dataclass(slots=True)
class ErrorEvent:
    """The turn ended with an error the user should read; the session stays usable."""

    message: str
    kind: str = "error"


@dataclass(slots=True)
class UsageLimitReached(ErrorEvent):
    """The turn was stopped by a usage limit (`agent.limits.UsageLimits`): `limit` names it."""

    limit: str = ""
    """`max_llm_calls`, `max_tool_calls` or `max_tokens`."""
    maximum: int = 0
    used: int = 0


@dataclass(slots=True)
class ApprovalRequested:
    """The turn paused: these calls need a person's approval (`Agent.resume(session, approve={...})`).

    `calls`: `[{"id", "kind": "tool" | "orchestration", "name", "arguments", "orchestration"}]`; the
    paused turn is saved in the session (in its store for a named session: any process may resume it).
    """

    calls: list[dict[str, Any]]
    session: str | None = None


Event = Union[
    RouteDecided, RouteRejected, OrchestrationStarted, OrchestrationFinished,
    ToolCallStarted, ToolCallFinished, TokenDelta, FiguresChecked, FinalAnswer, ErrorEvent,
    UsageLimitReached, ApprovalRequested,
]


def event_to_dict(event: Event) -> dict[str, Any]:
    """JSON-ready form of an event, with its type name (`{"type": "TokenDelta", ...}`)."""
    data = asdict(event)
    if isinstance(event, FinalAnswer):
        data["usage"] = event.usage.to_dict()
    return {"type": type(event).__name__, **data}


__all__ = [
    "Event", "RouteDecided", "RouteRejected", "OrchestrationStarted", "OrchestrationFinished",
    "ToolCallStarted", "ToolCallFinished", "TokenDelta", "FiguresChecked", "FinalAnswer", "ErrorEvent", "event_to_dict",
    "UsageLimitReached", "ApprovalRequested",
]
