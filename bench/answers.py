"""`python -m bench answers [--cases FILE] [--backend local|openai] [--model M] --json`: answer quality.

For each case (`id`, `query`, `route` = the calls to run, `mention` = groups of names of which the
answer must name at least one each), the route is given to the driver as the routing model's reply
(so synthesis is measured apart from routing), the orchestrations run on the data, and the analysis
model writes the answer through the real `Agent` (the figures check included). Scores, per case
and overall:

- `attribution`: figures attached to the subject and measure of a data point they come from /
  figures that have one (`agent.grounding.check`: the driver's own check is the scorer; dates,
  years and the question's numbers are left out of both);
- `repetitive_answers`: answers with a repeated figure, a table fragment (`|`) or a run of four
  words (numbers left out: "year to 2025-12-31" is a date, not a repeat) written three times or more;
- `answer_tokens_mean`: completion tokens of the analysis call;
- `untraced_figure_rate`: figures not traced to the data / figures written (`agent.figures`);
- `coverage`: mention groups the answer names / groups (case-insensitive substring);
- `parroting_answers`: answers that copy a run of eight words or more from the analysis prompt's
  instructions (system message and template, without the data);
- `figures_per_answer`: traced figures per answer (mean);
- `prompt_tokens_mean`: prompt tokens of the analysis call, as the backend counts them;
- `legacy_prompt_tokens_mean`: the same data in the previous prompt (every table, per-analysis
  instructions), counted by the same backend where it can (local), as the baseline;
- `analysis_seconds_mean` (and with `--legacy`, `legacy_analysis_seconds_mean`: the previous prompt
  through the same model in the same run): time of the analysis call;
- `seconds`: whole run; per case, the turn time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_CASES = str(Path(__file__).resolve().parents[2] / "shared/data/answers/dev.jsonl")
PARROT_WORDS = 8
LEGACY_SYSTEM = (
    "You are a careful financial analyst. Write the analysis the user asked for from the data you are given.\n"
    "Use the numbers in the tables; do not invent figures. Every figure carries its date: say \"as of\" where it matters.\n"
    "If some data is missing, say what is missing and what that means for the conclusions.\n"
    "Be concise and structured: a short summary first, then the key points, then risks. This is not investment advice."
)
"""The analysis system prompt before issue 15 (the baseline's)."""


# -- scoring (pure functions, tested in tests/bench/test_answers.py) ----------------------------
def coverage(answer: str, groups: list[list[str]]) -> tuple[int, int]:
    """(groups named, groups): a group is named when the answer contains any of its names."""
    text = answer.lower()
    named = sum(1 for group in groups if any(name.lower() in text for name in group))
    return named, len(groups)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def copied_runs(answer: str, instructions: str, n: int = PARROT_WORDS) -> list[str]:
    """Runs of `n` consecutive words of the instructions that the answer repeats (one per start)."""
    source = _words(instructions)
    grams = {tuple(source[i:i + n]) for i in range(len(source) - n + 1)}
    words = _words(answer)
    return [" ".join(words[i:i + n]) for i in range(len(words) - n + 1) if tuple(words[i:i + n]) in grams]


def parrots(answer: str, instructions: str, n: int = PARROT_WORDS) -> bool:
    return bool(copied_runs(answer, instructions, n))


def repetitive(answer: str, repeated_figures: int) -> bool:
    """A repeated figure, a table fragment, or four words (numbers left out) written three times or more."""
    words = [w for w in _words(answer) if not any(c.isdigit() for c in w)]
    grams = [tuple(words[i:i + 4]) for i in range(len(words) - 3)]
    return repeated_figures > 0 or "|" in answer or any(grams.count(g) >= 3 for g in set(grams))


def attribution(check: dict[str, Any]) -> tuple[int, int]:
    """(attributed figures, figures that have a labelled data point or are flagged) of one check."""
    attributed = int(check.get("attributed") or 0)
    traced_only = len(check.get("traced") or []) - attributed
    return attributed, int(check.get("total") or 0) - traced_only


def summarize(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """The overall scores from per-case results (`figures`, `traced`, `untraced`, `named`, `groups`,
    `parroting`, `prompt_tokens`, `legacy_prompt_tokens`)."""
    n = len(cases)
    written = sum(c["figures"] for c in cases)
    untraced = sum(c["untraced"] for c in cases)
    groups = sum(c["groups"] for c in cases)
    legacy = [c["legacy_prompt_tokens"] for c in cases if c.get("legacy_prompt_tokens")]
    attributable = sum(c.get("attributable", 0) for c in cases)
    return {
        "n": n,
        "attribution": round(sum(c.get("attributed", 0) for c in cases) / attributable, 4) if attributable else None,
        "repetitive_answers": sum(1 for c in cases if c.get("repetitive")),
        "answer_tokens_mean": round(sum(c.get("completion_tokens", 0) for c in cases) / n, 1) if n else 0.0,
        "turn_seconds_mean": round(sum(c.get("seconds", 0) for c in cases) / n, 2) if n else 0.0,
        "untraced_figure_rate": round(untraced / written, 4) if written else 0.0,
        "coverage": round(sum(c["named"] for c in cases) / groups, 4) if groups else 1.0,
        "parroting_answers": sum(1 for c in cases if c["parroting"]),
        "figures_per_answer": round(sum(c["traced"] for c in cases) / n, 2) if n else 0.0,
        "prompt_tokens_mean": round(sum(c["prompt_tokens"] for c in cases) / n, 1) if n else 0.0,
        "legacy_prompt_tokens_mean": round(sum(legacy) / len(legacy), 1) if legacy else None,
        "analysis_seconds_mean": round(sum(c.get("analysis_seconds") or 0 for c in cases) / n, 2) if n else 0.0,
        "legacy_analysis_seconds_mean": _mean([c.get("legacy_analysis_seconds") for c in cases]),
    }


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 2) if present else None


# -- running ------------------------------------------------------------------------------------
class _Recorder:
    """Wraps the analysis model: keeps the requests and the usage of each call."""

    def __init__(self, llm: Any):
        self.llm, self.model = llm, llm.model
        self.answer_mode = getattr(llm, "answer_mode", "free")
        self.context_window = getattr(llm, "context_window", None)
        self.requests: list[Any] = []
        self.usages: list[Any] = []
        self.seconds: list[float] = []

    async def complete(self, request):
        response = await self.llm.complete(request)
        self.requests.append(request)
        self.usages.append(response.usage)
        return response

    async def stream(self, request):
        self.requests.append(request)
        start = time.perf_counter()
        async for chunk in self.llm.stream(request):
            if chunk.response is not None:
                self.usages.append(chunk.response.usage)
                self.seconds.append(time.perf_counter() - start)
            yield chunk


def legacy_request(question: str, results: list[tuple[Any, Any, Any]]):
    """The analysis request as it was built before issue 15: every table, per-analysis templates."""
    from agent.llm import LLMRequest, Message
    from prompts import render

    prompts = [target().prompt(params, data) for target, params, data in results]
    if len(prompts) == 1:
        body = f"The user asked: {question}\n\n{prompts[0]}"
    else:
        sections = "\n\n".join(f"## {cls.name}\n{p}" for (cls, _, _), p in zip(results, prompts))
        body = render("merge.md", question=question, sections=sections)
    return LLMRequest([Message.system(LEGACY_SYSTEM), Message.user(body)], tool_choice="none")


def _count_tokens(llm: Any, request: Any) -> int | None:
    counter = getattr(llm, "_prompt_tokens", None)
    if counter is None:
        return None
    from agent.llm._local.prompt import chat_messages

    return len(counter(chat_messages(request.messages)))


async def run_case(case: dict[str, Any], llm: Any, instructions: str, legacy_run: bool = False) -> dict[str, Any]:
    from agent._agent import Agent
    from agent.testing import ScriptedLLM, call

    route = [call(c["name"], c.get("arguments") or {}) for c in case["route"]]
    recorder = _Recorder(llm)
    agent = Agent(ScriptedLLM([route]), analysis_llm=recorder)
    start = time.perf_counter()
    reply = await agent.achat(case["query"])
    seconds = time.perf_counter() - start
    check = reply.figures or {"traced": [], "untraced": [], "total": 0}
    attributed, attributable = attribution(check)
    flagged = check.get("flagged") or []
    named, groups = coverage(reply.text, case.get("mention") or [])
    copied = copied_runs(reply.text, instructions)
    results = [(agent.orchestrations[c["name"]], agent.orchestrations[c["name"]].validate(c.get("arguments") or {}), None)
               for c in case["route"]]
    legacy, legacy_seconds = None, None
    finished = [e for e in reply.events if type(e).__name__ == "OrchestrationFinished"]
    old = _legacy(case["query"], results, finished)
    if old is not None and hasattr(llm, "_prompt_tokens"):
        legacy = _count_tokens(llm, old)
    if old is not None and legacy_run:  # the previous prompt through the same model, timed in the same run
        t = time.perf_counter()
        response = await llm.complete(old)
        legacy_seconds = round(time.perf_counter() - t, 2)
        legacy = response.usage.prompt_tokens or legacy
    return {
        "id": case["id"], "answer": reply.text, "error": reply.error,
        "figures": check["total"], "traced": len(check["traced"]), "untraced": len(check["untraced"]),
        "untraced_figures": check["untraced"], "named": named, "groups": groups,
        "attributed": attributed, "attributable": attributable, "flagged": flagged,
        "repetitive": repetitive(reply.text, sum(1 for f in flagged if f["problem"] == "repeated")),
        "check": check.get("summary"),
        "parroting": bool(copied), "copied": copied[:3],
        "prompt_tokens": sum(u.prompt_tokens for u in recorder.usages),
        "completion_tokens": sum(u.completion_tokens for u in recorder.usages),
        "legacy_prompt_tokens": legacy, "analysis_seconds": round(sum(recorder.seconds), 2),
        "legacy_analysis_seconds": legacy_seconds, "seconds": round(seconds, 2),
    }


def _legacy(question: str, results: list, finished: list):
    """The previous analysis request for the same data (the tables rebuilt from the events)."""
    from orchestrations import OrchestrationData, Table

    by_name = {e.name: e for e in finished}
    rebuilt = []
    for target, params, _ in results:
        event = by_name.get(target.name)
        if event is None:
            return None
        tables = {k: Table.from_dict(v) for k, v in event.tables.items()}
        rebuilt.append((target, params, OrchestrationData(tables=tables, missing=list(event.missing))))
    return legacy_request(question, rebuilt)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench answers")
    ap.add_argument("--cases", default=DEFAULT_CASES, help="JSONL file of cases (default: ../shared/data/answers/dev.jsonl)")
    ap.add_argument("--only", default=None, help="comma-separated case ids to run")
    ap.add_argument("--backend", choices=("local", "openai"), default="local")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: the adaptive policy)")
    ap.add_argument("--answer-mode", choices=("free", "clauses", "composed"), default=None, help="default: the backend's (composed for the embedded model)")
    ap.add_argument("--legacy", action="store_true", help="also run the previous prompt through the model (turn-time baseline)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from agent import load_defaults, make_llm
    from agent.grounding.request import instructions

    load_defaults()
    llm = make_llm(args.backend, args.model, **({"n_threads": args.threads} if args.backend == "local" and args.threads else {}))
    if args.answer_mode:
        llm.answer_mode = args.answer_mode
    cases = [json.loads(line) for line in open(args.cases, encoding="utf-8") if line.strip()]
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c["id"] in wanted]
    text = instructions()

    async def run() -> list[dict[str, Any]]:
        return [await run_case(case, llm, text, args.legacy) for case in cases]

    start = time.perf_counter()
    results = asyncio.run(run())
    summary = {
        "benchmark": "answers", "backend": args.backend, "model": getattr(llm, "model", ""),
        "cases_file": os.path.basename(args.cases), **summarize(results),
        "seconds": round(time.perf_counter() - start, 1), "cases": results,
    }
    print(json.dumps(summary) if args.json else json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
