"""The driver: route a question to orchestrations through function calling, run them, answer."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from agent._memory import estimate_tokens
from agent._monitor import instrument, raise_if_interrupted, run_routed, tool_gate, traced_executor
from agent._reply import AgentReply
from agent._routing import Route, repair_messages, validate_calls
from agent._session import Session
from agent._turns import Resumed, TurnsMixin
from agent.approval import ApprovalCallback
from agent.events import (
    ErrorEvent,
    Event,
    FinalAnswer,
    OrchestrationFinished,
    OrchestrationStarted,
    RouteDecided,
    RouteRejected,
    TokenDelta,
)
from agent.grounding.figures import DataFigures
from agent.grounding.request import ANSWER_MODES, answer_data, answer_request, listed_answer, no_data_answer
from agent.grounding.verify import check_answer
from agent.limits import UsageLimits
from agent.llm import LLM, LLMError, LLMRequest, Message, Usage
from agent.sessions import SessionStore
from orchestrations import Orchestration, OrchestrationData, RunContext, registered_orchestrations
from orchestrations._context import DEFAULT_MAX_CONCURRENCY
from prompts import load
from tools import Executor, Tool, ToolRunner, registered_tools

Grounder = Callable[[str], dict[str, dict[str, list[str]]]]


@dataclass(slots=True)
class RoutingOutcome:
    """What the routing step decided: validated routes, or a plain answer, or an error."""

    routes: list[Route] = field(default_factory=list)
    text: str = ""
    error: str | None = None
    usage: Usage = field(default_factory=Usage)
    llm_calls: int = 0
    events: list[Event] = field(default_factory=list)


class Agent(TurnsMixin):
    """Maps a question onto orchestrations via function calling, runs them, and answers.

    `llm` routes; `analysis_llm` (default: the same) writes the analysis. `tools` are atomic tools
    the orchestrations may call (default: all registered); `offer_tools=True` also offers them to the
    routing model directly. Every answer's figures are traced and attributed to the data (a
    `FiguresChecked` event); `rewrite_untraced=True` asks the model once to rewrite an answer with
    flagged figures; `answer_mode` (`composed` / `clauses` / `free`) overrides the analysis backend's default.
    `store` keeps named sessions (default: a SQLite file, `agent.sessions`); `limits` bounds what one
    turn spends (`UsageLimits`); `approve` decides calls that need approval in-process (else the turn
    pauses: `ApprovalRequested`, then `resume`).
    """

    def __init__(
        self,
        llm: LLM,
        *,
        analysis_llm: LLM | None = None,
        orchestrations: list[type[Orchestration]] | None = None,
        tools: list[Tool] | None = None,
        offer_tools: bool = False,
        max_repairs: int = 2,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        context_window: int | None = None,
        max_query_chars: int = 20_000,
        grounder: Grounder | None = None,
        tool_executor: Executor | None = None,
        system_prompt: str | None = None,
        rewrite_untraced: bool = False,
        store: SessionStore | None = None,
        limits: UsageLimits | None = None,
        approve: ApprovalCallback | None = None,
        answer_mode: str | None = None,
    ):
        self.llm = llm
        self.analysis_llm = analysis_llm or llm
        self.orchestrations = {o.name: o for o in orchestrations} if orchestrations is not None else registered_orchestrations()
        self.tools = {t.name: t for t in tools} if tools is not None else registered_tools()
        offered = {t.name: Orchestration.for_tool(t) for t in self.tools.values()} if offer_tools else {}
        self.targets: dict[str, type[Orchestration[Any]]] = {**self.orchestrations, **offered}
        """What the router may call: the orchestrations, and the atomic tools when offered."""
        self.max_repairs = max_repairs
        self.max_concurrency = max_concurrency
        self.context_window = context_window or llm.context_window
        self.max_query_chars = max_query_chars
        self.grounder = grounder
        self.tool_executor = tool_executor
        self.system_prompt = system_prompt or load("router.md")
        self.rewrite_untraced = rewrite_untraced
        """Ask the analysis model once to rewrite an answer with flagged figures (untraced, wrong label, ...)."""
        self._store = store
        self.limits = limits or UsageLimits()
        self.approve = approve
        if answer_mode is not None and answer_mode not in ANSWER_MODES:
            raise ValueError(f"unknown answer_mode {answer_mode!r}: use one of {ANSWER_MODES}")
        if answer_mode == "composed" and not getattr(self.analysis_llm, "composes", False):
            raise ValueError(f"answer_mode='composed' needs a backend that decodes under a grammar (the local one); "
                             f"{type(self.analysis_llm).__name__} does not: use 'clauses' or 'free'")
        self.answer_mode = answer_mode
        """`composed`: sentences of whole clauses computed from the data, a verdict first (grammar
        backends); `clauses`: every figure inside such a clause, the model's own words around them;
        `free`: written freely and checked; None: the analysis backend's own default (`answer_mode`)."""
        self.session = Session()
        self._specs = [o.spec() for o in self.targets.values()]

    # -- public API -------------------------------------------------------------------------
    def chat(self, query: str, session: Session | str | None = None) -> AgentReply:
        """Answer one question (blocking). Use `achat` inside a running event loop."""
        return asyncio.run(self.achat(query, session))

    async def achat(self, query: str, session: Session | str | None = None) -> AgentReply:
        """`session`: a `Session`, or the name of one kept in the store (continued across processes)."""
        session = self._session(session)
        async for _ in self.astream(query, session):
            pass
        assert session.last_reply is not None  # built once, by astream, from this turn's events
        return session.last_reply

    def new_session(self) -> Session:
        return Session()

    def reset(self, session: Session | None = None) -> None:
        (session or self.session).clear()

    async def astream(self, query: str, session: Session | str | None = None) -> AsyncIterator[Event]:
        """Answer one question as a stream of typed events, ending with FinalAnswer, ErrorEvent or ApprovalRequested."""
        session = self._session(session)
        async for event in self._recorded(session, self._monitored(query, session)):
            yield event

    # -- the loop ---------------------------------------------------------------------------
    async def route(self, query: str, session: Session | None = None) -> RoutingOutcome:
        """Only the routing step: which calls the model makes for `query` (nothing is run)."""
        outcome = RoutingOutcome()
        history = (session or self.session).memory.window(self.context_window // 2, calls=True)
        async for event in self._route(query.strip(), history, outcome):
            outcome.events.append(event)
        return outcome

    async def _turn(self, query: str, session: Session, resumed: Resumed | None = None) -> AsyncIterator[Event]:
        query = (query or "").strip()
        if not query:
            yield ErrorEvent("Please type a question.", kind="empty_query")
            return
        query = self._fit_query(query)
        turn = RoutingOutcome()
        budget = self.context_window // 2 - estimate_tokens(query)
        history = session.memory.window(budget)
        results: list[tuple[Route, OrchestrationData]] = []
        request: LLMRequest | None = None
        data: DataFigures | None = None  # what the answer's figures are traced to
        try:
            if resumed is None:
                async for event in self._route(query, session.memory.window(budget, calls=True), turn):
                    yield event
            else:  # a paused turn taken up again: its routes, what it spent
                turn.routes, turn.llm_calls = resumed.routes, resumed.llm_calls
                turn.usage.add(resumed.usage)
                yield RouteDecided([{"name": r.name, "arguments": r.arguments()} for r in resumed.routes], 0)
            if turn.error:
                return
            if not turn.routes:  # a plain answer is the reply
                text = turn.text.strip() or "I have no answer to that; try asking about a company or a sector."
                yield TokenDelta(text)
            else:
                async for event in self._run_routes(turn.routes, results):
                    yield event
                only = results[0][1] if len(results) == 1 else None
                done = [(r.target, r.params, d) for r, d in results]
                mode: str = self.answer_mode or getattr(self.analysis_llm, "answer_mode", None) or "free"
                # nothing to analyse (e.g. a company not in the data): said, without figures; rows to list: listed
                fixed = (no_data_answer(done) or listed_answer(done)) if mode in ("clauses", "composed") else None
                if only is not None and only.answer is not None:
                    text = only.answer  # the orchestration answered by itself (ReAct)
                    yield TokenDelta(text)
                elif fixed is not None:
                    text = fixed
                    yield TokenDelta(text)
                else:
                    data = answer_data(query, [(r.target, r.params, d) for r, d in results])
                    request = answer_request(query, history, [(r.target, r.params, d) for r, d in results], data=data, mode=mode)
                    parts: list[str] = []
                    async for chunk in instrument(self.analysis_llm, "analysis").stream(request):
                        if chunk.delta:
                            parts.append(chunk.delta)
                            yield TokenDelta(chunk.delta)
                        if chunk.response is not None:
                            turn.usage.add(chunk.response.usage)
                    turn.llm_calls += 1
                    text = "".join(parts).strip() or "The model wrote no analysis; the computed data is in the tables above."
            if data is None:  # a plain answer or one the orchestration wrote: checked against the same kind of data
                data = answer_data(query, [(r.target, r.params, d) for r, d in results])
            rewrite = self.analysis_llm if self.rewrite_untraced and request is not None else None
            async for check in check_answer(text, data, llm=instrument(rewrite, "rewrite"), request=request, usage=turn.usage):
                yield check
                if check.rewritten is not None:
                    text = check.rewritten
                    turn.llm_calls += 1
        except LLMError as e:
            yield ErrorEvent(f"The model backend failed: {e}", kind=type(e).__name__)
            return
        session.memory.add_turn(query, text, [{"name": r.name, "arguments": r.arguments()} for r in turn.routes])
        yield FinalAnswer(text, turn.usage, turn.llm_calls)

    async def _route(self, query: str, history: list[Message], out: RoutingOutcome) -> AsyncIterator[Event]:
        """One routing call offering the orchestrations; invalid calls are fed back and retried."""
        messages = [Message.system(self.system_prompt), *history, Message.user(query)]
        grounding = self.grounder(query) if self.grounder else {}
        for attempt in range(1, self.max_repairs + 2):
            response = await instrument(self.llm, "routing").complete(LLMRequest(messages, self._specs, "auto", grounding=grounding))
            out.usage.add(response.usage)
            out.llm_calls += 1
            routes, errors = validate_calls(response, self.targets)
            if not errors:
                out.routes, out.text = routes, response.text
                yield RouteDecided([{"name": r.name, "arguments": r.arguments()} for r in routes], attempt)
                return
            yield RouteRejected(errors, attempt)
            messages = messages + repair_messages(response, errors)
        out.error = f"The model could not produce a valid call after {attempt} attempts: {errors[0]}"
        yield ErrorEvent(out.error, "invalid_calls")

    async def _run_routes(self, routes: list[Route], results: list) -> AsyncIterator[Event]:
        """Run every routed call concurrently, yielding their events as they happen (in emission order)."""
        loop = asyncio.get_running_loop()
        buffer: deque[Event] = deque()
        wakeup: list[asyncio.Future[None]] = []  # the pending wait of the loop below, if any

        def notify(_: object = None) -> None:
            if wakeup and not wakeup[0].done():
                wakeup[0].set_result(None)

        def emit(event: Event) -> None:
            buffer.append(event)
            notify()

        runner = ToolRunner(self.tools, emit=emit, executor=traced_executor(self.tool_executor), gate=tool_gate())
        root = RunContext(runner, llm=instrument(self.llm, "orchestration"), max_concurrency=self.max_concurrency)

        async def run(route: Route) -> tuple[Route, OrchestrationData]:
            emit(OrchestrationStarted(route.name, route.arguments()))
            start = time.perf_counter()
            ctx = root.child(route.name)
            try:
                data = await run_routed(route, ctx)
            except Exception as e:  # noqa: BLE001 - a broken data step is reported, not fatal
                data = OrchestrationData(missing=[f"{route.name} failed: {type(e).__name__}: {e}"])
            tables = {k: t.to_dict() for k, t in data.tables.items()}
            findings = [f.to_dict() for f in data.findings]
            emit(OrchestrationFinished(route.name, route.arguments(), time.perf_counter() - start, tables, data.missing, findings))
            return route, data

        task = asyncio.ensure_future(asyncio.gather(*(run(r) for r in routes)))
        task.add_done_callback(notify)
        try:
            while True:
                while buffer:
                    yield buffer.popleft()
                if task.done():
                    break
                wakeup[:] = [loop.create_future()]
                await wakeup[0]
            results.extend(task.result())
            raise_if_interrupted()
        finally:
            task.cancel()

    def _fit_query(self, query: str) -> str:
        limit = min(self.max_query_chars, self.context_window)  # ~1/3 of the window in tokens
        if len(query) <= limit:
            return query
        return query[:limit] + f"\n[the question was shortened: {len(query) - limit} characters left out]"
