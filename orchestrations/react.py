"""`ReActLoop`: the model picks atomic tools step by step until it answers or runs out of steps."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from core import LLMRequest, Message
from core.schema import FREE_TEXT
from prompts import render
from tools import registered_tools

from ._base import Orchestration, OrchestrationData
from ._context import RunContext


class ReActParams(BaseModel):
    task: str = Field(description="The research task to carry out with the data tools, in the user's words.",
                      json_schema_extra={FREE_TEXT: True})  # prose, not a name: not a span of the request
    max_steps: int = Field(6, ge=1, le=20, description="Most tool-calling steps before giving up.")


class ReActLoop(Orchestration[ReActParams]):
    """Thought, action, observation: the model calls data tools until it can answer.

    A model that repeats calls it has already made (small models do) is told so and asked for the
    answer (`tool_choice="none"`, prompts/react_answer.md) instead of looping until `max_steps`.

    Not offered by default: pass it in `Agent(orchestrations=[...])` to let the router pick it.
    """

    name = "research"
    description = "Answer an open-ended question about companies by calling data tools step by step (when no other analysis fits)."
    Params = ReActParams
    observation_chars = 4000
    token_budget = 12_000
    """Stop when the loop's prompts and replies have used this many tokens in all."""

    async def gather(self, params: ReActParams, ctx: RunContext) -> OrchestrationData:
        tools = ctx.runner.tools or registered_tools()
        specs = [t.spec for t in tools.values()]
        messages = [Message.system(render("react.md", task=params.task)), Message.user(params.task)]
        steps: list[list] = []
        used = 0
        made: set[tuple[str, str]] = set()
        choice = "auto"
        for step in range(1, params.max_steps + 1):
            response = await ctx.llm.complete(LLMRequest(messages, specs, choice))
            used += response.usage.total_tokens
            if not response.tool_calls:
                answer = response.text.strip() or "I could not find an answer."
                return _data(steps, answer, ctx)
            calls = {(c.name, c.arguments) for c in response.tool_calls}
            if calls <= made:  # the same calls again: it has those results, so it answers next
                messages.append(Message.user(render("react_answer.md")))
                choice = "none"
            else:
                made |= calls
                messages.append(Message.assistant(response.message.content, response.tool_calls))
                results = await asyncio.gather(*(self._act(ctx, call) for call in response.tool_calls))
                for call, text in zip(response.tool_calls, results):
                    messages.append(Message.tool(call, text))
                    steps.append([step, call.name, call.arguments, text[:200]])
            if used > self.token_budget:
                return _data(steps, f"Stopped after {step} steps: the token budget ({self.token_budget}) is spent.", ctx)
        return _data(steps, f"Stopped after {params.max_steps} steps without a final answer.", ctx)

    async def _act(self, ctx: RunContext, call) -> str:
        """Run one action; a bad call becomes an observation the model can correct."""
        try:
            arguments = call.parsed_arguments()
        except ValueError as e:
            return f'{{"error": "arguments are not a valid JSON object: {e}"}}'
        result = await ctx.call(call.name, **arguments)
        return result.to_text(self.observation_chars)


def _data(steps: list[list], answer: str, ctx: RunContext) -> OrchestrationData:
    from ._table import Table

    table = Table("ReAct steps", ["step", "tool", "arguments", "observation"], steps)
    return OrchestrationData(tables={"steps": table}, answer=answer, missing=list(ctx.missing))
