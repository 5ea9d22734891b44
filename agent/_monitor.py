"""What watches a turn while it runs: usage limits, approvals and spans, reached through a context variable.

The driver's hooks are one-liners: `instrument(llm, purpose)` wraps an LLM for one use (span, limits),
`tool_gate()` and `traced_executor(...)` go to the turn's `ToolRunner`, `run_routed(route, ctx)` runs
an orchestration (span, approval), `raise_if_interrupted()` ends a turn that a limit or an approval
stopped. Without a monitored turn (e.g. `Agent.route`), they only record spans.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from agent import telemetry
from agent._routing import Route
from agent.approval import ApprovalRequired, Approvals, PendingCall, denial
from agent.events import Event, FiguresChecked, RouteDecided, ToolCallFinished
from agent.limits import TurnInterrupted, UsageLimitExceeded, UsageMeter
from agent.llm import LLM, LLMRequest, LLMResponse, StreamChunk, WrapperLLM
from orchestrations import OrchestrationData, RunContext
from tools import Executor, Gate, Tool, execute_and_dump


def _key(tool: str, arguments: dict[str, Any]) -> str:
    return json.dumps([tool, arguments], sort_keys=True, default=str)


@dataclass(slots=True)
class TurnMonitor:
    """One turn's meter, approvals, the results its tools returned, and why it stopped (if it did)."""

    meter: UsageMeter
    approvals: Approvals
    calls: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    """`{"tool", "arguments", "value"}` of every call that ran: a resumed turn reuses them."""
    reused: dict[str, Any] = field(default_factory=dict)
    """Results from before a pause, by call key: returned again without running the tool."""
    figures: FiguresChecked | None = None
    limit: UsageLimitExceeded | None = None

    def reuse(self, results: list[dict[str, Any]]) -> None:
        """Results of calls made before a pause: returned again, without running or asking, when called again."""
        for r in results:
            self.reused[_key(r["tool"], r["arguments"])] = r["value"]
            self.results.append(r)

    def observe(self, event: Event) -> None:
        if isinstance(event, RouteDecided):
            self.calls = event.calls
        elif isinstance(event, ToolCallFinished) and event.ok and not event.cached:
            self.results.append({"tool": event.tool, "arguments": event.arguments, "value": event.result})
        elif isinstance(event, FiguresChecked):
            self.figures = event

    def interrupt(self, error: TurnInterrupted) -> None:
        if isinstance(error, UsageLimitExceeded):
            self.limit = self.limit or error
        elif isinstance(error, ApprovalRequired):
            for call in error.calls:
                self.approvals.waiting.setdefault(call.id, call)


_current: ContextVar[TurnMonitor | None] = ContextVar("finagent_turn_monitor", default=None)


def current() -> TurnMonitor | None:
    return _current.get()


def raise_if_interrupted() -> None:
    """After the orchestrations: a limit reached, or calls waiting for approval, end the turn here."""
    monitor = current()
    if monitor is None:
        return
    if monitor.limit is not None:
        raise monitor.limit
    if monitor.approvals.waiting:
        raise ApprovalRequired(list(monitor.approvals.waiting.values()))


# -- LLM calls ------------------------------------------------------------------------------------
class MonitoredLLM(WrapperLLM):
    """An LLM used by the turn: a span per call, the turn's limits checked before and after."""

    def __init__(self, inner: LLM, purpose: str):
        super().__init__(inner)
        self.purpose = purpose

    async def complete(self, request: LLMRequest) -> LLMResponse:
        monitor = current()
        if monitor is not None:
            monitor.meter.before_llm_call()
        with telemetry.llm_span(self.inner, request, self.purpose) as span:
            response = await self._require_inner().complete(request)
            telemetry.record_response(span, response)
        if monitor is not None:
            monitor.meter.after_llm_call(response.usage)
        return response

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        monitor = current()
        if monitor is not None:
            monitor.meter.before_llm_call()
        final: LLMResponse | None = None
        with telemetry.llm_span(self.inner, request, self.purpose) as span:
            async with contextlib.aclosing(self._require_inner().stream(request)) as stream:  # type: ignore[type-var]  # an async generator
                async for chunk in stream:
                    if chunk.response is not None:
                        final = chunk.response
                        telemetry.record_response(span, final)
                    yield chunk
        if monitor is not None and final is not None:
            monitor.meter.after_llm_call(final.usage)


def instrument(llm: Any, purpose: str) -> Any:
    """`llm` for one use inside a turn (None stays None)."""
    return None if llm is None else MonitoredLLM(llm, purpose)


# -- tool calls -----------------------------------------------------------------------------------
def tool_gate() -> Gate:
    """Before an atomic tool call runs: reuse, approval (for `requires_approval` tools), the tool-call limit."""

    async def gate(tool: Tool, arguments: dict[str, Any]) -> str | None:
        monitor = current()
        if monitor is None or _key(tool.name, arguments) in monitor.reused:
            return None
        if tool.requires_approval:
            call = PendingCall.of("tool", tool.name, arguments)
            decision = await monitor.approvals.decide(call)
            if decision is None:
                raise ApprovalRequired([call])
            if not decision:
                return denial(call)
        monitor.meter.before_tool_call()
        return None

    return gate


def traced_executor(inner: Executor | None) -> Executor:
    """Runs a tool in an `execute_tool` span; a result from before a pause is returned without running."""
    run = inner or execute_and_dump

    async def execute(tool: Tool, args: BaseModel) -> Any:
        monitor = current()
        recording = telemetry.recording()
        if not recording and (monitor is None or not monitor.reused):
            return await run(tool, args)
        arguments = args.model_dump(mode="json")
        key = _key(tool.name, arguments)
        if monitor is not None and key in monitor.reused:
            return monitor.reused[key]
        with telemetry.tool_span(tool.name, "tool", arguments) as span:
            value = await run(tool, args)
            result = telemetry.content(value) if span.is_recording() else None
            if result is not None:
                span.set_attribute("gen_ai.tool.call.result", result)
            return value

    return execute


async def run_routed(route: Route, ctx: RunContext) -> OrchestrationData:
    """Run one routed call in its span, once approved if it needs approval.

    A denied call is not run: its data says so, and the answer is written from that. A call waiting
    for approval, or one stopped by a limit, is noted on the monitor (`raise_if_interrupted`)."""
    monitor = current()
    with telemetry.tool_span(route.name, "orchestration", route.arguments(), route.call.id):
        if monitor is not None and route.target.requires_approval:
            call = PendingCall.of("orchestration", route.name, route.arguments())
            decision = await monitor.approvals.decide(call)
            if decision is None:
                return OrchestrationData(missing=[f"{route.name} waits for approval"])
            if not decision:
                return OrchestrationData(facts={"denied": denial(call)}, missing=[denial(call)])
        try:
            return await route.target().run(route.params, ctx)
        except TurnInterrupted as e:
            if monitor is None:
                raise
            monitor.interrupt(e)
            return OrchestrationData(missing=[str(e)])



def activate(monitor: TurnMonitor) -> Any:
    """Make `monitor` the current turn's (a token for `deactivate`)."""
    return _current.set(monitor)


def deactivate(token: Any) -> None:
    try:
        _current.reset(token)
    except ValueError:  # the turn's stream was finished from another context: nothing to restore there
        pass

__all__ = ["TurnMonitor", "current", "activate", "deactivate", "instrument", "tool_gate", "traced_executor", "run_routed", "raise_if_interrupted"]
