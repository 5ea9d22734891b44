"""The analysis step: one streamed LLM call writes the answer from the orchestrations' data."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agent.llm import LLMRequest, Message
from orchestrations import Orchestration, OrchestrationData
from prompts import load, render


def answer_request(
    question: str,
    history: list[Message],
    results: list[tuple[type[Orchestration[Any]], BaseModel, OrchestrationData]],
) -> LLMRequest:
    """One orchestration: its own prompt. Several: one merged prompt, so it is still one call."""
    prompts = [target().prompt(params, data) for target, params, data in results]
    if len(prompts) == 1:
        body = f"The user asked: {question}\n\n{prompts[0]}"
    else:
        sections = "\n\n".join(f"## {cls.name}\n{p}" for (cls, _, _), p in zip(results, prompts))
        body = render("merge.md", question=question, sections=sections)
    return LLMRequest([Message.system(load("analyst.md")), *history, Message.user(body)], tool_choice="none")
