"""The analysis step: one streamed LLM call writes the answer from the orchestrations' data."""

from __future__ import annotations

import json

from pydantic import BaseModel

from agent.llm import LLMRequest, Message
from orchestrations import Orchestration, OrchestrationData
from prompts import load, render
from tools import Tool, shorten


def answer_request(
    question: str,
    history: list[Message],
    results: list[tuple[type[Orchestration] | Tool, BaseModel, OrchestrationData]],
) -> LLMRequest:
    """One orchestration: its own prompt. Several: one merged prompt, so it is still one call."""
    prompts = [_prompt(target, params, data) for target, params, data in results]
    if len(prompts) == 1:
        body = f"The user asked: {question}\n\n{prompts[0]}"
    else:
        sections = "\n\n".join(f"## {cls.name}\n{p}" for (cls, _, _), p in zip(results, prompts))
        body = render("merge.md", question=question, sections=sections)
    return LLMRequest([Message.system(load("analyst.md")), *history, Message.user(body)], tool_choice="none")


def _prompt(target: type[Orchestration] | Tool, params: BaseModel, data: OrchestrationData) -> str:
    if isinstance(target, Tool):  # an atomic tool the router called directly
        arguments = json.dumps(params.model_dump(mode="json"))
        result = json.dumps(data.facts.get("result"), default=str)
        missing = f"\nIt failed: {'; '.join(data.missing)}" if data.missing else ""
        return f"Data from {target.name}({arguments}):\n{shorten(result, 8000)}{missing}\n\nAnswer from this data."
    return target().prompt(params, data)
