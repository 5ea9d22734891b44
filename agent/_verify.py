"""After every answer: trace its figures to the data (`agent.figures`), and optionally ask the model
once to rewrite an answer whose figures do not all trace (an output validator)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from agent.events import FiguresChecked
from agent.figures import DataFigures, FigureCheck, check_figures
from agent.llm import LLM, LLMError, LLMRequest, Message, Usage
from prompts import render


def figures_event(check: FigureCheck, rewritten: str | None = None) -> FiguresChecked:
    d = check.to_dict()
    return FiguresChecked(d["total"], d["traced"], d["untraced"], d["summary"], rewritten)


def rewrite_request(request: LLMRequest, answer: str, untraced: list[str]) -> LLMRequest:
    """The analysis conversation, the answer, and a request to write it again without `untraced`."""
    messages = [*request.messages, Message.assistant(answer), Message.user(render("rewrite.md", untraced=", ".join(untraced)))]
    return LLMRequest(messages, tool_choice="none", temperature=request.temperature, max_tokens=request.max_tokens,
                      figures=list(request.figures))


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
        response = await llm.complete(rewrite_request(request, answer, check.untraced))
    except LLMError:
        return  # the checked answer stands; its untraced figures were reported above
    if usage is not None:
        usage.add(response.usage)
    text = response.text.strip()
    if text:
        yield figures_event(check_figures(text, data), rewritten=text)


__all__ = ["check_answer", "figures_event", "rewrite_request"]
