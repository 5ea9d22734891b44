"""Approval before side effects: calls of tools or orchestrations marked `requires_approval`.

Before such a call runs, the decision comes from the approvals given so far (`agent.resume(...,
approve={...})`), or from the agent's in-process callback; without either, the turn pauses: an
`ApprovalRequested` event names the calls, and the paused turn is saved in the session store so
that any process can resume it.
"""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Union

from agent.limits import TurnInterrupted


@dataclass(slots=True)
class PendingCall:
    """A call waiting for a person: `id` is stable (the same call has the same id in any process)."""

    id: str
    kind: Literal["tool", "orchestration"]
    name: str
    arguments: dict[str, Any]
    orchestration: str | None = None
    """For a tool call: the orchestration that made it."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def of(cls, kind: Literal["tool", "orchestration"], name: str, arguments: dict[str, Any], orchestration: str | None = None) -> PendingCall:
        key = json.dumps([kind, name, arguments], sort_keys=True, default=str)
        return cls("ap_" + hashlib.sha256(key.encode()).hexdigest()[:12], kind, name, arguments, orchestration)


ApprovalCallback = Callable[[PendingCall], Union[bool, None, Awaitable[Union[bool, None]]]]
"""`Agent(approve=...)`: True runs the call, False denies it, None pauses the turn (ask later)."""


class ApprovalRequired(TurnInterrupted):
    """A call needs a person's decision; the turn pauses (raised inside a turn, never out of `astream`)."""

    def __init__(self, calls: list[PendingCall]):
        self.calls = calls
        super().__init__("waiting for approval: " + ", ".join(c.name for c in calls))


def denial(call: PendingCall) -> str:
    """What the model reads instead of a denied call's result."""
    return f"{call.name} was not run: the user denied this call."


@dataclass(slots=True)
class Approvals:
    """The decisions of one turn (by call id), the callback, and the calls still undecided."""

    decisions: dict[str, bool] = field(default_factory=dict)
    callback: ApprovalCallback | None = None
    waiting: dict[str, PendingCall] = field(default_factory=dict)

    async def decide(self, call: PendingCall) -> bool | None:
        """True: run; False: denied; None: undecided (noted in `waiting`, the turn will pause)."""
        if call.id in self.decisions:
            return self.decisions[call.id]
        if self.callback is not None:
            answer = self.callback(call)
            if inspect.isawaitable(answer):
                answer = await answer
            if answer is not None:
                self.decisions[call.id] = bool(answer)
                return bool(answer)
        self.waiting.setdefault(call.id, call)
        return None


def resolve(waiting: list[dict[str, Any]], approve: dict[str, bool] | None) -> dict[str, bool]:
    """Decisions for the waiting calls from `approve`, keyed by call id or by name (an id wins).

    A waiting call that `approve` does not mention is denied: nothing runs without a yes.
    """
    approve = dict(approve or {})
    known = {c["id"] for c in waiting} | {c["name"] for c in waiting}
    unknown = [k for k in approve if k not in known]
    if unknown:
        raise KeyError(f"no waiting call has the id or name {', '.join(map(repr, unknown))}; waiting: "
                       + ", ".join(f"{c['id']} ({c['name']})" for c in waiting))
    return {c["id"]: bool(approve.get(c["id"], approve.get(c["name"], False))) for c in waiting}


__all__ = ["PendingCall", "ApprovalCallback", "ApprovalRequired", "Approvals", "denial", "resolve"]
