"""Events emitted around atomic tool calls (re-exported by `agent.events`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ToolCallStarted:
    call_id: str
    tool: str
    arguments: dict[str, Any]
    started_at: float
    """`time.perf_counter()` when the call started."""
    orchestration: str | None = None


@dataclass(slots=True)
class ToolCallFinished:
    call_id: str
    tool: str
    arguments: dict[str, Any]
    started_at: float
    finished_at: float
    ok: bool
    error: str | None = None
    cached: bool = False
    orchestration: str | None = None
    result: Any = field(default=None, repr=False)

    @property
    def duration_s(self) -> float:
        return self.finished_at - self.started_at
