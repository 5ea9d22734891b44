"""A small domain for batch tests, importable by Ray workers: tools, orchestrations, a keyword model.

`KeywordLLM` is deterministic and stateless (so many items may share it, in any order): a routing
request gets a call chosen from the question's words, an analysis request a short text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import threading

from pydantic import BaseModel

from agent import Agent
from agent.llm import BaseLLM, LLMRequest, LLMResponse, Message, ToolCall, Usage
from orchestrations import Finding, Orchestration, OrchestrationData, RunContext, Table
from tools import tool

PRICES = {"AAA": 10.0, "BBB": 20.0, "CCC": 30.0}


class InFlight:
    """Counts concurrent calls in this process (the local runner's bound is checked with it)."""

    lock = threading.Lock()
    now = 0
    peak = 0

    @classmethod
    def reset(cls) -> None:
        with cls.lock:
            cls.now = cls.peak = 0

    @classmethod
    def enter(cls) -> None:
        with cls.lock:
            cls.now += 1
            cls.peak = max(cls.peak, cls.now)

    @classmethod
    def leave(cls) -> None:
        with cls.lock:
            cls.now -= 1


@tool
async def price_of(symbol: str) -> float:
    """Price of a test symbol."""
    InFlight.enter()
    try:
        await asyncio.sleep(0.05)
    finally:
        InFlight.leave()
    if symbol not in PRICES:
        raise ValueError(f"no such symbol {symbol}")
    return PRICES[symbol]


class QuoteParams(BaseModel):
    symbol: str


class Quote(Orchestration[QuoteParams]):
    name = "quote"
    description = "The price of one company."
    Params = QuoteParams

    async def gather(self, params: QuoteParams, ctx: RunContext) -> OrchestrationData:
        price = await ctx.fetch(price_of, symbol=params.symbol)
        return OrchestrationData(tables={"price": Table("Price", ["symbol", "price"], [[params.symbol, price]])})

    def find(self, params: QuoteParams, data: OrchestrationData) -> list[Finding]:
        price = data.tables["price"].rows[0][1]
        if price is None:
            return [Finding(f"No price for {params.symbol}.", [], "price")]
        return [Finding(f"{params.symbol} trades at {price:.2f}.", [f"{price:.2f}"], f"price[{params.symbol}]")]


class BoomParams(BaseModel):
    reason: str = "broken"


class Boom(Orchestration[BoomParams]):
    name = "boom"
    description = "A data step that always fails."
    Params = BoomParams

    async def gather(self, params: BoomParams, ctx: RunContext) -> OrchestrationData:
        raise RuntimeError(params.reason)


class CrashParams(BaseModel):
    marker: str
    always: bool = False


class Crash(Orchestration[CrashParams]):
    """Kills its worker process: every time (`always`), or the first time only (a marker file)."""

    name = "crash"
    description = "A data step that kills its process."
    Params = CrashParams

    async def gather(self, params: CrashParams, ctx: RunContext) -> OrchestrationData:
        if params.always or not os.path.exists(params.marker):
            with open(params.marker, "a") as f:
                f.write(f"{os.getpid()}\n")
            os._exit(3)
        return OrchestrationData(findings=[Finding("survived", [], "crash")])


ORCHESTRATIONS: list[type[Orchestration]] = [Quote, Boom, Crash]


class KeywordLLM(BaseLLM):
    """Routes "price of XXX" to `quote(XXX)`; answers analysis requests with a fixed sentence."""

    model = "keyword"
    context_window = 8192

    async def complete(self, request: LLMRequest) -> LLMResponse:
        if request.tools:
            question = request.messages[-1].content or ""
            symbols = re.findall(r"\b[A-Z]{3}\b", question)
            if "price" in question and symbols:
                calls = [ToolCall(f"c{i}", "quote", json.dumps({"symbol": s})) for i, s in enumerate(symbols)]
                return LLMResponse(Message.assistant(None, calls), Usage(10, 5, 1), self.model, "tool_calls")
            return LLMResponse(Message.assistant("I only know prices."), Usage(10, 4, 1), self.model)
        facts = request.messages[-1].content or ""
        return LLMResponse(Message.assistant(f"Analysed {len(facts.split())} words."), Usage(20, 3, 1), self.model)


def keyword_agent() -> Agent:
    """The agent factory of the tests (a module-level function: Ray workers import it by name)."""
    return Agent(KeywordLLM(), orchestrations=ORCHESTRATIONS, tools=[price_of])


def capped_local_agent(max_tokens: int = 48):
    """The default finance agent on the embedded model, each answer capped at `max_tokens` tokens."""
    from agent import build_agent
    from agent.llm import WrapperLLM
    from agent.llm.llamacpp import LlamaCppChat

    class Capped(WrapperLLM):
        async def complete(self, request):
            return await self._require_inner().complete(dataclasses.replace(request, max_tokens=min(request.max_tokens or max_tokens, max_tokens)))

        def stream(self, request):
            return self._require_inner().stream(dataclasses.replace(request, max_tokens=min(request.max_tokens or max_tokens, max_tokens)))

    return build_agent(Capped(LlamaCppChat()))


def write_jsonl(path, rows) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for row in rows:
            f.write((row if isinstance(row, str) else json.dumps(row)) + "\n")


def read_jsonl(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def health_items(n: int | None = None) -> list[dict]:
    """`financial_health_assessment` direct calls for the first `n` companies of the snapshot (all: None)."""
    from tools.market import SnapshotProvider

    symbols = sorted(SnapshotProvider().symbols())[:n]
    return [{"id": s, "orchestration": "financial_health_assessment", "arguments": {"symbol": s}} for s in symbols]


def unbuildable_agent() -> Agent:
    """An agent factory that fails, as one whose model file or API key is missing does."""
    raise RuntimeError("no model file at /nowhere/model.gguf")
