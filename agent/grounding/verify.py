"""After every answer: check its figures (traced and attributed, `check.py`), and optionally ask the model
once to rewrite an answer with flagged figures (an output validator)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

from agent.events import FiguresChecked
from agent.grounding.check import PROBLEMS, FigureCheck, check_figures
from agent.grounding.figures import DataFigures
from agent.llm import LLM, LLMError, LLMRequest, Message, Usage
from prompts import render


def figures_event(check: FigureCheck, rewritten: str | None = None) -> FiguresChecked:
    d = check.to_dict()
    return FiguresChecked(d["total"], d["traced"], d["untraced"], d["summary"], rewritten, d["flagged"], d["attributed"])


def rewrite_request(request: LLMRequest, answer: str, flagged: list[dict[str, str]] | list[str]) -> LLMRequest:
    """The analysis conversation, the answer, and a request to write it again without the flagged figures
    (`FigureCheck.flagged`, or plain figure texts: not traced)."""
    items = [f if isinstance(f, dict) else {"figure": f, "problem": "untraced", "detail": ""} for f in flagged]
    problems = "; ".join(f"{f['figure']} ({PROBLEMS.get(f['problem'], f['problem'])}{': ' + f['detail'] if f.get('detail') else ''})" for f in items)
    messages = [*request.messages, Message.assistant(answer), Message.user(render("rewrite.md", untraced=problems))]
    return dataclasses.replace(request, messages=messages)


async def check_answer(
    answer: str, data: DataFigures, *, llm: LLM | None = None, request: LLMRequest | None = None,
    usage: Usage | None = None,
) -> AsyncIterator[FiguresChecked]:
    """Yield the check of `answer` against `data` (`answer_data` of the turn); with `llm` and the
    analysis `request`, an answer with untraced figures is rewritten once and the rewrite's check
    follows (`rewritten` holds the new text)."""
    check = check_figures(answer, data)
    yield figures_event(check)
    if check.ok or llm is None or request is None:
        return
    try:
        response = await llm.complete(rewrite_request(request, answer, check.flagged))
    except LLMError:
        return  # the checked answer stands; its untraced figures were reported above
    if usage is not None:
        usage.add(response.usage)
    text = response.text.strip()
    if text:
        yield figures_event(check_figures(text, data), rewritten=text)


__all__ = ["check_answer", "figures_event", "rewrite_request"]
