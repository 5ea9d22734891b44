"""`python -m bench overhead --json`: the framework's own cost per agent turn, next to two peers, same run.

Every framework gets an instant model (prebuilt replies, no I/O) that first calls one no-op tool, then
answers in text; a turn is one `run` from the question to the final text:
  ours            Agent(offer_tools=True).achat: routing call -> the tool (ToolRunner, events) -> streamed answer;
  pydantic-ai     pydantic_ai.Agent with a FunctionModel, `await agent.run(...)`;
  openai-agents   agents.Agent with a fake `Model`, `await Runner.run(...)` (tracing disabled).
Rounds are interleaved (ours, pydantic-ai, openai-agents, ours, ...) so machine load hits all alike;
per framework the median and the minimum of the rounds' microseconds per turn are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench._common import emit, median

QUESTION = "Ping the service, then tell me it is fine."
ANSWER = "The service is fine."


# -- ours ------------------------------------------------------------------------------------------
def make_ours() -> Callable[[], Awaitable[str]]:
    from agent import Agent
    from agent.llm import LLMRequest, LLMResponse, Message, StreamChunk, ToolCall, Usage
    from tools import tool

    @tool
    async def noop() -> str:
        """Does nothing."""
        return "ok"

    routing = LLMResponse(Message.assistant(None, [ToolCall("call_1", "noop", "{}")]), Usage(10, 2, 1), "instant", "tool_calls")
    final = LLMResponse(Message.assistant(ANSWER), Usage(20, 4, 1), "instant")

    class InstantLLM:
        """Replies at once: a call to `noop` when tools may be called, else the answer (one chunk)."""

        model = "instant"
        context_window = 8192

        async def complete(self, request: LLMRequest) -> LLMResponse:
            return final if request.tool_choice == "none" else routing

        async def stream(self, request: LLMRequest):
            response = await self.complete(request)
            yield StreamChunk(delta=response.text)
            yield StreamChunk(response=response)

    agent = Agent(InstantLLM(), orchestrations=[], tools=[noop], offer_tools=True, system_prompt="You route questions.")

    async def turn() -> str:
        reply = await agent.achat(QUESTION, agent.new_session())
        return reply.text

    return turn


# -- pydantic-ai -----------------------------------------------------------------------------------
def make_pydantic_ai() -> Callable[[], Awaitable[str]]:
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart, ToolReturnPart
    from pydantic_ai.models.function import AgentInfo, FunctionModel

    def model(messages: list, info: AgentInfo) -> ModelResponse:
        last = messages[-1]
        if any(isinstance(p, ToolReturnPart) for p in getattr(last, "parts", [])):
            return ModelResponse(parts=[TextPart(ANSWER)])
        return ModelResponse(parts=[ToolCallPart("noop", {}, tool_call_id="call_1")])

    agent = Agent(FunctionModel(model), instructions="You route questions.")

    @agent.tool_plain
    async def noop() -> str:
        """Does nothing."""
        return "ok"

    async def turn() -> str:
        result = await agent.run(QUESTION)
        return result.output

    return turn


# -- openai-agents ---------------------------------------------------------------------------------
def make_openai_agents() -> Callable[[], Awaitable[str]]:
    from agents import Agent, Model, Runner, function_tool, set_tracing_disabled
    from agents.items import ModelResponse
    from agents.usage import Usage
    from openai.types.responses import ResponseFunctionToolCall, ResponseOutputMessage, ResponseOutputText

    set_tracing_disabled(True)

    class InstantModel(Model):
        async def get_response(self, system_instructions, input, model_settings, tools, output_schema, handoffs, tracing,
                               *, previous_response_id=None, conversation_id=None, prompt=None, **kwargs) -> ModelResponse:
            called = isinstance(input, list) and any(
                (item.get("type") if isinstance(item, dict) else getattr(item, "type", None)) == "function_call_output" for item in input)
            if called:
                out = ResponseOutputMessage(id="msg_1", type="message", role="assistant", status="completed",
                                            content=[ResponseOutputText(type="output_text", text=ANSWER, annotations=[])])
            else:
                out = ResponseFunctionToolCall(type="function_call", id="fc_1", call_id="call_1", name="noop", arguments="{}")
            return ModelResponse(output=[out], usage=Usage(), response_id=None)

        def stream_response(self, *args, **kwargs):  # not used: Runner.run does not stream
            raise NotImplementedError

    @function_tool
    async def noop() -> str:
        """Does nothing."""
        return "ok"

    agent = Agent(name="router", instructions="You route questions.", model=InstantModel(), tools=[noop])

    async def turn() -> str:
        result = await Runner.run(agent, QUESTION)
        return result.final_output

    return turn


FRAMEWORKS = {"ours": make_ours, "pydantic_ai": make_pydantic_ai, "openai_agents": make_openai_agents}


async def time_turns(turn: Callable[[], Awaitable[str]], n: int) -> float:
    """Microseconds per turn over `n` sequential turns."""
    start = time.perf_counter()
    for _ in range(n):
        await turn()
    return (time.perf_counter() - start) / n * 1e6


async def measure(turns: int, rounds: int, only: list[str]) -> dict[str, Any]:
    makers = {name: FRAMEWORKS[name] for name in only}
    runs, errors = {}, {}
    for name, make in makers.items():
        try:
            runs[name] = make()
            text = await runs[name]()  # warm: imports, schemas, first-call caches
            assert text == ANSWER, f"{name} answered {text!r}"
        except Exception as e:  # noqa: BLE001 - a peer that is not installed is reported, not fatal
            runs.pop(name, None)
            errors[name] = f"{type(e).__name__}: {e}"
    samples: dict[str, list[float]] = {name: [] for name in runs}
    for name, turn in runs.items():
        await time_turns(turn, max(turns // 4, 5))
    for _ in range(rounds):
        for name, turn in runs.items():
            samples[name].append(await time_turns(turn, turns))
    result: dict[str, Any] = {"benchmark": "overhead", "turns_per_round": turns, "rounds": rounds}
    for name in FRAMEWORKS:
        s = samples.get(name)
        result[f"{name}_us_per_turn"] = round(median(s), 1) if s else None
        result[f"{name}_min_us_per_turn"] = round(min(s), 1) if s else None
    # the ratio from each round (same instant of machine load), then the median over the rounds
    if "ours" in samples:
        peers = [n for n in samples if n != "ours"]
        if peers:
            per_round = [samples["ours"][i] / min(samples[p][i] for p in peers) for i in range(rounds)]
            fastest = min(peers, key=lambda p: median(samples[p]))
            result["fastest_peer"] = fastest
            result["ratio_to_fastest_peer"] = round(median(per_round), 3)
            result["ratio_to_fastest_peer_min"] = round(min(per_round), 3)
            result["target"] = "ratio_to_fastest_peer <= 0.333"
    try:
        from importlib.metadata import version

        result["versions"] = {"pydantic_ai_slim": version("pydantic-ai-slim"), "openai_agents": version("openai-agents"),
                              "python": platform.python_version()}
    except Exception:  # noqa: BLE001
        pass
    if errors:
        result["errors"] = errors
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench overhead")
    ap.add_argument("--turns", type=int, default=200, help="turns per round and framework")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--only", default=",".join(FRAMEWORKS), help="comma-separated: " + ",".join(FRAMEWORKS))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    r = asyncio.run(measure(args.turns, args.rounds, [n.strip() for n in args.only.split(",") if n.strip()]))
    emit(r, args.json, (
        f"overhead per turn: ours {r['ours_us_per_turn']} us, pydantic-ai {r['pydantic_ai_us_per_turn']} us, "
        f"openai-agents {r['openai_agents_us_per_turn']} us; ratio to the fastest peer {r.get('ratio_to_fastest_peer')}"
    ))
    return 0
