"""The part of `Agent` around a turn: named sessions, monitoring (limits, approvals, spans), resuming."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from agent import _monitor, telemetry
from agent._reply import AgentReply
from agent._routing import Route
from agent._session import Session
from agent.approval import ApprovalCallback, ApprovalRequired, Approvals, resolve
from agent.events import ApprovalRequested, ErrorEvent, Event, FinalAnswer, UsageLimitReached
from agent.limits import UsageLimitExceeded, UsageLimits, UsageMeter
from agent.llm import ToolCall, Usage
from agent.sessions import SessionStore, SQLiteSessionStore
from orchestrations import Orchestration

PENDING_VERSION = 1


@dataclass(slots=True)
class Resumed:
    """A paused turn taken up again: its routed calls and what it had spent."""

    routes: list[Route]
    usage: Usage = field(default_factory=Usage)
    llm_calls: int = 0


class TurnsMixin:
    """Sessions by name, usage limits, approvals and telemetry for `Agent` (which sets these attributes)."""

    session: Session
    targets: dict[str, type[Orchestration[Any]]]
    limits: UsageLimits
    approve: ApprovalCallback | None
    _store: SessionStore | None

    def _turn(self, query: str, session: Session, resumed: Resumed | None = None) -> AsyncIterator[Event]:
        raise NotImplementedError

    # -- sessions ---------------------------------------------------------------------------------
    @property
    def store(self) -> SessionStore:
        """Where named sessions live: the one given, else the default SQLite file (`agent.sessions.default_path`)."""
        if self._store is None:
            self._store = SQLiteSessionStore()
        return self._store

    def open_session(self, name: str) -> Session:
        """The session `name` from the store (a new one if it has no turns yet)."""
        return Session(name, self.store)

    def _session(self, session: Session | str | None) -> Session:
        if session is None:
            return self.session
        return self.open_session(session) if isinstance(session, str) else session

    # -- resuming a paused turn -------------------------------------------------------------------
    def resume(self, session: Session | str, approve: dict[str, bool] | None = None) -> AgentReply:
        """Finish a paused turn (blocking): approved calls run, the others are denied. See `aresume`."""
        return asyncio.run(self.aresume(session, approve))

    async def aresume(self, session: Session | str, approve: dict[str, bool] | None = None) -> AgentReply:
        session = self._session(session)
        async for _ in self.astream_resume(session, approve):
            pass
        assert session.last_reply is not None  # built by astream_resume from this turn's events
        return session.last_reply

    async def astream_resume(self, session: Session | str, approve: dict[str, bool] | None = None) -> AsyncIterator[Event]:
        """Resume the session's paused turn in this process, as a stream of events.

        `approve` maps a waiting call's id (or its name) to True (run it) or False; a waiting call
        it leaves out is denied. Denied calls never run; the model is told they were denied. The
        turn goes on from its routed calls (no new routing call); results of tool calls made before
        the pause are reused, not fetched again. Raises KeyError for an id or name nobody waits for
        (the paused turn stays saved).
        """
        session = self._session(session)
        async for event in self._recorded(session, self._resumed(session, approve)):
            yield event

    async def _recorded(self, session: Session, events: AsyncIterator[Event]) -> AsyncIterator[Event]:
        """Pass a turn's events on, then keep them as the session's last reply."""
        seen: list[Event] = []
        async for event in events:
            seen.append(event)
            yield event
        session.last_reply = AgentReply.from_events(seen)

    async def _resumed(self, session: Session, approve: dict[str, bool] | None) -> AsyncIterator[Event]:
        state = session.pending
        if state is None:
            yield ErrorEvent(f"no turn of {session!r} waits for approval", kind="nothing_pending")
            return
        decisions = {**state.get("decisions", {}), **resolve(state["waiting"], approve)}
        state = session.claim_pending()
        if state is None:  # another process resumed it meanwhile
            yield ErrorEvent(f"the paused turn of {session!r} was already resumed", kind="nothing_pending")
            return
        try:
            routes = [self._route_of(c) for c in state["calls"]]
        except (KeyError, ValueError) as e:
            session.save_pending(state)
            yield ErrorEvent(f"cannot resume: {e}", kind="resume_failed")
            return
        usage = Usage(**{k: v for k, v in state.get("usage", {}).items() if k in ("prompt_tokens", "completion_tokens", "requests")})
        resumed = Resumed(routes, usage, int(state.get("llm_calls", 0)))
        async for event in self._monitored(state["query"], session, resumed, decisions, state.get("results", [])):
            yield event

    def _route_of(self, call: dict[str, Any]) -> Route:
        target = self.targets.get(call["name"])
        if target is None:
            raise KeyError(f"this agent has no orchestration or tool {call['name']!r}")
        return Route(ToolCall(call.get("id") or call["name"], call["name"], json.dumps(call["arguments"])), target, target.validate(call["arguments"]))

    # -- one monitored turn -----------------------------------------------------------------------
    async def _monitored(self, query: str, session: Session, resumed: Resumed | None = None,
                         decisions: dict[str, bool] | None = None, results: list[dict[str, Any]] | None = None) -> AsyncIterator[Event]:
        """The turn's events, with its limits, approvals and span; a pause or a limit ends it with an event."""
        meter = UsageMeter(self.limits)
        if resumed is not None:
            meter.usage.add(resumed.usage)
            meter.llm_calls = resumed.llm_calls
        monitor = _monitor.TurnMonitor(meter, Approvals(dict(decisions or {}), self.approve))
        monitor.reuse(results or [])
        session.refresh()
        token = _monitor.activate(monitor)
        try:
            with telemetry.turn_span(query, session.name) as span:
                final: FinalAnswer | None = None
                try:
                    async for event in self._turn(query, session, resumed):
                        monitor.observe(event)
                        if isinstance(event, FinalAnswer):
                            final = event
                            if session.memory.turns:
                                session.record(session.memory.turns[-1])
                        elif isinstance(event, ErrorEvent):
                            telemetry.fail(span, event.message, event.kind)
                        yield event
                except ApprovalRequired as e:
                    session.save_pending(self._pending_state(query, monitor, resumed))
                    span.set_attribute("finagent.approval.waiting", [c.name for c in e.calls])
                    yield ApprovalRequested([c.to_dict() for c in e.calls], session.name)
                except UsageLimitExceeded as e:
                    telemetry.fail(span, str(e), "usage_limit")
                    yield UsageLimitReached(str(e), "usage_limit", e.limit, e.maximum, e.used)
                _record_turn(span, monitor, final)
        finally:
            _monitor.deactivate(token)

    @staticmethod
    def _pending_state(query: str, monitor: _monitor.TurnMonitor, resumed: Resumed | None) -> dict[str, Any]:
        calls = monitor.calls or ([{"id": r.call.id, "name": r.name, "arguments": r.arguments()} for r in resumed.routes] if resumed else [])
        return {
            "version": PENDING_VERSION, "query": query, "at": time.time(),
            "calls": [{"id": c.get("id"), "name": c["name"], "arguments": c["arguments"]} for c in calls],
            "waiting": [c.to_dict() for c in monitor.approvals.waiting.values()],
            "decisions": monitor.approvals.decisions,
            "results": monitor.results,
            "usage": monitor.meter.usage.to_dict(), "llm_calls": monitor.meter.llm_calls,
        }


def _record_turn(span: Any, monitor: _monitor.TurnMonitor, final: FinalAnswer | None) -> None:
    if not span.is_recording():
        return
    usage = monitor.meter.usage
    span.set_attributes({
        "gen_ai.usage.input_tokens": usage.prompt_tokens, "gen_ai.usage.output_tokens": usage.completion_tokens,
        "finagent.llm_calls": monitor.meter.llm_calls, "finagent.tool_calls": monitor.meter.tool_calls,
        "finagent.route": [c["name"] for c in monitor.calls],
    })
    if monitor.figures is not None:
        span.set_attributes({"finagent.figures.total": monitor.figures.total, "finagent.figures.untraced": len(monitor.figures.untraced),
                             "finagent.figures.ok": monitor.figures.ok})
    answer = telemetry.content([{"role": "assistant", "parts": [{"type": "text", "content": final.text}]}]) if final else None
    if answer is not None:
        span.set_attribute("gen_ai.output.messages", answer)


__all__ = ["TurnsMixin", "Resumed"]
