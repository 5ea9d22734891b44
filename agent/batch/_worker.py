"""Running one batch item into its output record, with an agent built once per worker.

A question goes through `Agent.astream` (routing, data steps, analysis, figures check) in a fresh
session, so items never share memory. A direct call goes through the same driver with a router
that always makes that call (`FixedRoute`), so its answer is written and checked exactly as a
routed one. With `findings_only` there is no analysis call: a direct call runs its data step with
no LLM at all, a question makes only its routing call.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from agent._agent import Agent, Session
from agent._build import build_agent, load_defaults, make_llm
from agent._errors import one_line
from agent.batch._items import BatchItem
from agent.llm import LLM, CappedLLM, LLMRequest, LLMResponse, Message, StreamChunk, ToolCall, Usage, WrapperLLM
from orchestrations import Orchestration, OrchestrationData, ReActLoop, RunContext, registered_orchestrations
from tools import Tool, ToolRunner, registered_tools
from tools.market import use_data

__all__ = ["BatchConfig", "ItemRunner", "FixedRoute"]

AgentFactory = Callable[[], Agent]


@dataclass
class BatchConfig:
    """How every worker of a run builds its agent and runs items; picklable (it travels to Ray actors).

    `agent_factory` (a zero-argument callable returning an `Agent`) is called once per worker when
    the run needs a model; by default `build_agent(backend, model=..., base_url=...)`.
    `orchestrations` and `tools` add to the registered ones for direct calls (your own analyses).
    `concurrency` is the number of items one worker runs at once; `max_tokens` caps each answer;
    `timeout` (seconds) is how long the OpenAI backend waits for one reply (twice that with its
    retries): raise it when many requests queue for one model server.
    """

    backend: str = "local"
    model: str | None = None
    base_url: str | None = None
    data: str | None = None
    agent_factory: AgentFactory | None = None
    findings_only: bool = False
    concurrency: int = 4
    max_tokens: int | None = None
    timeout: float | None = None
    orchestrations: list[type[Orchestration[Any]]] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")

    def make_agent(self) -> Agent:
        if self.agent_factory is not None:
            agent = self.agent_factory()
            if not isinstance(agent, Agent):
                raise TypeError(f"agent_factory returned {type(agent).__name__}, not an Agent")
        else:
            options = {"timeout": self.timeout, "deadline": 2 * self.timeout} if self.timeout and self.backend == "openai" else {}
            agent = build_agent(make_llm(self.backend, self.model, self.base_url, **options))
        if self.max_tokens:
            agent.analysis_llm = CappedLLM(agent.analysis_llm, self.max_tokens)
        return agent

    def catalog(self) -> tuple[dict[str, type[Orchestration[Any]]], dict[str, Tool]]:
        """The orchestrations direct calls may name, and the tools their data steps use."""
        load_defaults()
        orchestrations: dict[str, type[Orchestration[Any]]] = {**registered_orchestrations(), ReActLoop.name: ReActLoop}
        orchestrations.update({o.name: o for o in self.orchestrations})
        tools = {**registered_tools(), **{t.name: t for t in self.tools}}
        return orchestrations, tools

    def needs_model(self, items: list[BatchItem]) -> bool:
        """Whether workers must build the agent's model for these items."""
        return not self.findings_only or any(not item.is_call for item in items)


class FixedRoute(WrapperLLM):
    """A router that makes one given call: the first request gets it, every later one goes to `inner`."""

    def __init__(self, inner: LLM, name: str, arguments: dict[str, Any]):
        super().__init__(inner)
        self._call: ToolCall | None = ToolCall("batch_call", name, json.dumps(arguments))

    async def complete(self, request: LLMRequest) -> LLMResponse:
        call, self._call = self._call, None
        if call is None:
            return await self._require_inner().complete(request)
        return LLMResponse(Message.assistant(None, [call]), Usage(), self.model, "tool_calls")

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        return self._require_inner().stream(request)


class ItemRunner:
    """Runs items on one worker: the agent (and its model) built once, items independent."""

    def __init__(self, config: BatchConfig, *, build_model: bool = True):
        self.config = config
        self.orchestrations, self.tools = config.catalog()
        self.agent: Agent | None = config.make_agent() if build_model else None

    async def run(self, item: BatchItem) -> dict[str, Any]:
        """The output record of one item; a failure is an error record, never raised."""
        start = time.perf_counter()
        try:
            with use_data(self.config.data):
                record = await self._run(item)
        except Exception as e:  # noqa: BLE001 - a failing item is an error line; the run goes on
            record = _record(item, [], [], None, None, Usage(), f"{type(e).__name__}: {one_line(e)}", self.config.findings_only)
        record["seconds"] = round(time.perf_counter() - start, 4)
        return record

    async def _run(self, item: BatchItem) -> dict[str, Any]:
        only = self.config.findings_only
        if item.is_call and only:
            cls = self.orchestrations[item.orchestration or ""]
            calls = [(cls, cls.validate(item.arguments))]
            findings, error = await self._data_steps(calls)
            return _record(item, _calls(calls), findings, None, None, Usage(), error, only)
        agent = self._agent()
        if only:  # a question, routed, then its data steps
            outcome = await agent.route(item.question or "", Session())
            routed = [(r.target, r.params) for r in outcome.routes]
            findings, error = await self._data_steps(routed, agent.tools) if not outcome.error else ([], outcome.error)
            return _record(item, _calls(routed), findings, None, None, outcome.usage, error, only)
        if item.is_call:
            if item.orchestration not in agent.targets:
                raise ValueError(f"the agent does not offer {item.orchestration!r}; it offers {', '.join(sorted(agent.targets))}")
            agent = copy.copy(agent)  # the same agent, routed to the given call
            agent.llm = FixedRoute(agent.llm, item.orchestration or "", item.arguments)
        reply = await agent.achat(item.question or _call_question(self.orchestrations[item.orchestration or ""], item.arguments), Session())
        return _record(item, reply.calls, reply.findings, reply.text if reply.ok else None, reply.figures, reply.usage, reply.error, only)

    def _agent(self) -> Agent:
        if self.agent is None:
            self.agent = self.config.make_agent()
        return self.agent

    async def _data_steps(self, calls: list[tuple[type[Orchestration[Any]], Any]],
                          tools: dict[str, Tool] | None = None) -> tuple[list[dict[str, Any]], str | None]:
        """Run the data steps concurrently (one tool cache per item); their findings in order."""
        runner = ToolRunner({**self.tools, **(tools or {})})
        root = RunContext(runner)
        results = await asyncio.gather(*(cls().run(params, root.child(cls.name)) for cls, params in calls), return_exceptions=True)
        findings: list[dict[str, Any]] = []
        errors: list[str] = []
        for (cls, _), result in zip(calls, results):
            if isinstance(result, BaseException):
                errors.append(f"{cls.name} failed: {type(result).__name__}: {one_line(result)}")
            elif isinstance(result, OrchestrationData):
                findings.extend(f.to_dict() for f in result.findings)
        return findings, "; ".join(errors) or None

    async def aclose(self) -> None:
        if self.agent is not None:
            analysis = self.agent.analysis_llm
            analysis = analysis.inner if isinstance(analysis, CappedLLM) and analysis.inner is not None else analysis
            await self.agent.llm.aclose()
            if analysis is not self.agent.llm:
                await analysis.aclose()


def _calls(calls: list[tuple[type[Orchestration[Any]], Any]]) -> list[dict[str, Any]]:
    return [{"name": cls.name, "arguments": params.model_dump(mode="json")} for cls, params in calls]


def _call_question(cls: type[Orchestration[Any]], arguments: dict[str, Any]) -> str:
    """What a direct call's answer addresses when its line has no question: the analysis, with its arguments."""
    given = ", ".join(f"{k}: {v}" for k, v in arguments.items())
    return f"{cls.description} ({given})" if given else cls.description


def _record(item: BatchItem, calls: list[dict[str, Any]], findings: list[dict[str, Any]], answer: str | None,
            figures: dict[str, Any] | None, usage: Usage, error: str | None, findings_only: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"id": item.id, "calls": calls, "findings": findings}
    if not findings_only:
        record["answer"] = answer
    record.update(figures=figures, usage=usage.to_dict(), error=error)
    return record
