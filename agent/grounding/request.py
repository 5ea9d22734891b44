"""The analysis request: one streamed LLM call writes the answer from the question and the findings.

The prompt is compact (prompts/answer.md): the question, the orchestrations' findings as bullets,
and only the small tables that fit a token budget; never every raw table. The request carries the
figures the answer may write (`LLMRequest.figures`): grammar backends decode numbers only from them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from agent._memory import estimate_tokens
from agent.grounding.clauses import answer_clauses, fact_clause, is_small, listed_rows, verdict_count
from agent.grounding.figures import DataFigures, allowed_figures, data_figures
from agent.llm import LLMRequest, Message
from orchestrations import Orchestration, OrchestrationData
from prompts import load, render
from tools import shorten

TABLE_BUDGET_TOKENS = 120
"""Tokens of compact tables added after the findings (smallest tables first); 0: findings only."""
MAX_TABLE_CELLS = 24
"""A table with more cells than this is never quoted in the prompt (its numbers are in the findings)."""

RAW_TABLES_CHARS = 6000
"""Tables of an orchestration without findings are quoted whole, up to this many characters."""

Result = tuple[type[Orchestration[Any]], BaseModel, OrchestrationData]


ANSWER_MODES = ("free", "clauses", "composed")
EARLIER_QUESTIONS = 3
"""A follow-up's request names this many earlier questions of the conversation (never their answers)."""


def answer_request(question: str, history: list[Message], results: list[Result], *,
                   table_budget: int = TABLE_BUDGET_TOKENS, data: DataFigures | None = None, mode: str = "free") -> LLMRequest:
    """The analysis request: question, findings, compact tables; one call for any number of results.

    `history`: the conversation so far; only its questions are named (earlier answers' prose never
    reaches the analysis). `data`: `answer_data(question, results)` when the caller already has it
    (the driver checks the answer against the same data). `mode="clauses"`: the facts are the
    clauses (`clauses.py`) and the request carries them (`LLMRequest.clauses`)."""
    if mode not in ANSWER_MODES:
        raise ValueError(f"unknown answer mode {mode!r}: use one of {ANSWER_MODES}")
    earlier = [m.content for m in history if m.role == "user" and m.content][-EARLIER_QUESTIONS:]
    asked = "".join(f"\nEarlier question: {shorten(q, 300)}" for q in earlier)
    who = subjects([params for _, params, _ in results]) or "the companies"
    figures = allowed_figures(data if data is not None else answer_data(question, results))
    system = Message.system(load("analyst.md"))
    if mode in ("clauses", "composed"):
        found = [f for _, _, d in results for f in d.findings]
        clauses = answer_clauses(question, found, named_tables((t.name, d.tables) for t, _, d in results),
                                 [m for _, _, d in results if not d.findings for m in d.missing[:3]])
        if mode == "composed":  # the clauses are the grammar's options, not prompt text: a short prompt
            body = render("answer_composed.md", question=question + asked, subjects=who)
            return LLMRequest([system, Message.user(body)], tool_choice="none", figures=figures, clauses=clauses,
                              verdicts=verdict_count(clauses, found), connectives=connectives())
        facts = "\n".join(f"- {c}." for c in clauses) or "- (no facts: the data step returned nothing)"
        body = render("answer_clauses.md", question=question + asked, facts=facts, subjects=who)
        return LLMRequest([system, Message.user(body)], tool_choice="none", figures=figures, clauses=clauses)
    groups = [_findings_text(target, params, data) for target, params, data in results]
    if len(results) > 1:
        groups = [f"## {target.name}\n{g}" for (target, _, _), g in zip(results, groups)]
    findings = "\n\n".join(g for g in groups if g) or "- (no findings: the data step returned nothing)"
    tables = _compact_tables([data for _, _, data in results if data.findings], table_budget)
    body = render("answer.md", question=question + asked, findings=findings, tables=f"\n{tables}\n" if tables else "", subjects=who)
    return LLMRequest([system, Message.user(body)], tool_choice="none", figures=figures)


def connectives() -> list[str]:
    """The words that may open a composed answer's sentences (`prompts/connectives.md`, one a line)."""
    return [line.strip() for line in load("connectives.md").splitlines() if line.strip()]


def no_data_answer(results: list[Result]) -> str | None:
    """The answer when the data step found nothing to analyse (no figure in any finding or table,
    no row of words to list from a step that missed nothing): it says so, with the reasons, and
    writes no figure of its own; None when there is data."""
    for _, _, data in results:
        if data.answer is not None or any(f.figures for f in data.findings) or _has_number([t.rows for t in data.tables.values()]) \
                or _has_number(data.facts) or (not data.missing and (bool(data.facts) or any(listed_rows(t.to_dict()) for t in data.tables.values()))):
            return None
    reasons = list(dict.fromkeys(m.split(": ", 1)[-1] for _, _, d in results for m in d.missing))
    return render("no_data.md", subjects=subjects([p for _, p, _ in results]) or "this question",
                  reasons=" ".join(reasons[:2]) or "The data step returned nothing.").strip()


def listed_answer(results: list[Result]) -> str | None:
    """The answer when every orchestration returned only small tables of named rows with words
    (events, sent emails) and facts (what an action did), no findings or misses: each row, one
    sentence (`clauses.listed_rows`), and the facts, one sentence under the orchestration's name
    (`clauses.fact_clause`: "Sleep timer: stops in minutes 10"). Complete, and traced by
    construction, where a composed answer stops after a few sentences (and its repeat rule would
    take the rows' shared column words for a loop), or, with no clause to compose, wrote free text.
    None otherwise."""
    lines: list[str] = []
    for target, _, data in results:
        if data.answer is not None or data.findings or data.missing or not (data.tables or data.facts):
            return None
        if data.facts and (said := fact_clause(str(getattr(target, "name", "") or "Result").replace("_", " ").capitalize(), data.facts)):
            lines.append(said)
        for table in data.tables.values():
            t = table.to_dict()
            rows = listed_rows(t) if is_small(t) else []
            if not rows:
                return None
            lines += rows
    return "\n".join(line.rstrip(".!?") + "." for line in lines) or None


def _has_number(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, dict):
        return any(_has_number(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_number(v) for v in value)
    return False


def subjects(params: list[BaseModel]) -> str:
    """What the answer must be about, from the routed arguments: tickers, sectors, amounts."""
    found: list[str] = []
    for p in params:
        for value in p.model_dump(mode="json").values():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v[:1].isupper() and not any(c.isdigit() for c in v):
                    found.append(v)
                elif isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1000:
                    found.append(f"${v:,.0f}")
    found = list(dict.fromkeys(found))
    return ", ".join(found[:-1]) + " and " + found[-1] if len(found) > 1 else "".join(found)


def instructions() -> str:
    """The instruction text of the analysis prompt (system message and template, without the data)."""
    template = load("answer.md")
    for placeholder in ("$question", "$findings", "$tables", "$subjects"):
        template = template.replace(placeholder, "")
    return load("analyst.md") + "\n" + template


def named_tables(runs: Iterable[tuple[str, dict[str, Any]]], taken: Iterable[str] = ()) -> dict[str, Any]:
    """Every run's tables under `orchestration.table`; a second run of the same orchestration (one
    call per value: Oslo, then Bergen) keeps its own as `orchestration.table (2)`, not in place of the
    first's. `taken`: names already in use (tables named before)."""
    out: dict[str, Any] = {}
    used = set(taken)
    for name, tables in runs:
        for key, table in tables.items():
            label, n = f"{name}.{key}", 1
            while label in out or label in used:
                n += 1
                label = f"{name}.{key} ({n})"
            out[label] = table
    return out


def answer_data(question: str, results: list[Result]) -> DataFigures:
    """Everything an answer's figures may trace to: the question, findings, tables and facts."""
    findings = [f for _, _, data in results for f in data.findings]
    data = data_figures(question, findings, named_tables((target.name, d.tables) for target, _, d in results))
    for target, _, d in results:
        if d.facts:
            data.add_text(json.dumps(d.facts, default=str), f"{target.name}.facts")
        for m in d.missing:
            data.add_text(m, f"{target.name}.missing", vocabulary=False)
    return data


def _findings_text(target: type[Orchestration[Any]], params: BaseModel, data: OrchestrationData) -> str:
    lines = [f"- {f.text}" for f in data.findings]
    if not lines and (data.tables or data.facts):  # an orchestration that states no findings: its tables and facts
        lines = [shorten(data.tables_markdown(), RAW_TABLES_CHARS)] if data.tables else []
        if data.facts:
            lines.append("Other facts:\n" + shorten(json.dumps(data.facts, default=str, indent=1), RAW_TABLES_CHARS))
    lines += [f"- Missing data: {shorten(m, 200)}" for m in data.missing[:3]]  # what is missing, and why
    return "\n".join(lines)


def _compact_tables(datas: list[OrchestrationData], budget: int) -> str:
    """The smallest tables, in Markdown, while they fit `budget` tokens."""
    candidates = [t for d in datas for t in d.tables.values() if t.rows and len(t.rows) * len(t.columns) <= MAX_TABLE_CELLS]
    chosen, used = [], 0
    for table in sorted(candidates, key=lambda t: len(t.rows) * len(t.columns)):
        text = table.to_markdown()
        cost = estimate_tokens(text)
        if used + cost > budget:
            continue
        chosen.append(text)
        used += cost
    return "\n\n".join(chosen)


__all__ = ["answer_request", "answer_data", "listed_answer", "named_tables", "no_data_answer", "instructions", "TABLE_BUDGET_TOKENS", "ANSWER_MODES"]
