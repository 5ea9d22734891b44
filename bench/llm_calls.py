"""`python -m bench llm_calls --json`: LLM calls and tokens per question, by how many orchestrations it routes to.

The dev routing set (`../shared/data/routing/dev.jsonl` beside the project: `query`, `expect` = the expected calls) is
answered by `Agent(...).achat(query)` on the offline snapshot. With `--backend scripted` (default) the
model is a ScriptedLLM that makes exactly the expected calls (the first acceptable name, the first
acceptable argument values, valid values for the other required parameters) and then answers in text,
so the counts measure the driver's logic, not a model. Token counts for the scripted model are the
driver's own estimate (`agent._memory.estimate_tokens`) of each request (messages and offered tool
schemas) and reply. `--backend local` runs the embedded model instead (real usage as it reports it).

Groups are by the number of orchestrations the dev set expects: none (0), single (1), multi (2+).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

from bench._common import emit

DEV = Path(os.environ.get("FINAGENT_ROUTING_DEV", Path(__file__).resolve().parents[2] / "shared/data/routing/dev.jsonl"))
ANSWER = ("Based on the computed tables, the figures point to a balanced view: revenue and margins are "
          "shown above, with the main risks and the data's dates stated. This is not investment advice.")
GROUPS = ("none", "single", "multi")


def load_dev(path: Path = DEV) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def group_of(n: int) -> str:
    return "none" if n == 0 else "single" if n == 1 else "multi"


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _filler(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A valid value for a JSON-schema property (first enum value, a ticker for strings, ...)."""
    if "$ref" in schema:
        return _filler(defs[schema["$ref"].split("/")[-1]], defs)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _filler(options[0], defs)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "array":
        item = _filler(schema.get("items", {}), defs)
        return [item] * max(schema.get("minItems", 1), 1)
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return 10_000
    if kind == "boolean":
        return False
    return "AAPL"


def expected_calls(item: dict[str, Any], orchestrations: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, arguments) for each expected call: values from `expect`, fillers for other required params."""
    calls = []
    for exp in item["expect"]:
        name = _first(exp["name"])
        args = {k: _first(v) for k, v in (exp.get("args") or {}).items()}
        schema = orchestrations[name].Params.model_json_schema()
        for param in schema.get("required", []):
            if param not in args:
                args[param] = _filler(schema["properties"][param], schema.get("$defs", {}))
        calls.append((name, args))
    return calls


def scripted_llm(calls: list[tuple[str, dict[str, Any]]]):
    """A ScriptedLLM: the expected calls (or a text answer if none), then the analysis text."""
    from agent._memory import estimate_tokens
    from agent.llm import LLMRequest, LLMResponse, Message, Usage
    from agent.testing import ScriptedLLM, call

    def prompt_tokens(request: LLMRequest) -> int:
        tools = json.dumps([t.to_dict() for t in request.tools]) if request.tools else ""
        return sum(estimate_tokens(m.content) for m in request.messages) + (estimate_tokens(tools) if tools else 0)

    def routing(request: LLMRequest) -> LLMResponse:
        if not calls:
            return LLMResponse(Message.assistant(ANSWER), Usage(prompt_tokens(request), estimate_tokens(ANSWER), 1), "scripted")
        tool_calls = [call(name, args) for name, args in calls]
        completion = sum(estimate_tokens(c.name + c.arguments) for c in tool_calls)
        return LLMResponse(Message.assistant(None, tool_calls), Usage(prompt_tokens(request), completion, 1), "scripted", "tool_calls")

    def analysis(request: LLMRequest) -> LLMResponse:
        return LLMResponse(Message.assistant(ANSWER), Usage(prompt_tokens(request), estimate_tokens(ANSWER), 1), "scripted")

    return ScriptedLLM([routing, analysis] if calls else [routing])


async def run(backend: str, limit: int | None) -> dict[str, Any]:
    from agent import Agent
    from agent import ground_query, load_defaults
    from orchestrations import registered_orchestrations
    from tools.market import SnapshotProvider, use_provider

    load_defaults()
    orchestrations = registered_orchestrations()
    items = load_dev()[:limit] if limit else load_dev()
    shared_llm = None
    if backend == "local":
        from agent import make_llm

        shared_llm = make_llm("local")
    rows = []
    with use_provider(SnapshotProvider()):
        for item in items:
            expected = expected_calls(item, orchestrations)
            llm = shared_llm or scripted_llm(expected)
            agent = Agent(llm, grounder=ground_query if backend == "local" else None)
            start = time.perf_counter()
            reply = await agent.achat(item["query"])
            elapsed = time.perf_counter() - start
            if backend == "scripted":
                llm.assert_complete()
            rows.append({
                "id": item.get("id"), "group": group_of(len(item["expect"])), "expected": [n for n, _ in expected],
                "routed": [c["name"] for c in reply.calls], "llm_calls": reply.llm_calls,
                "prompt_tokens": reply.usage.prompt_tokens, "completion_tokens": reply.usage.completion_tokens,
                "error": reply.error, "seconds": round(elapsed, 3),
            })
    result: dict[str, Any] = {"benchmark": "llm_calls", "backend": backend, "dataset": str(DEV), "queries": len(rows)}
    for g in GROUPS:
        sel = [r for r in rows if r["group"] == g]
        n = len(sel) or 1
        result[f"n_{g}"] = len(sel)
        result[f"mean_llm_calls_{g}"] = round(sum(r["llm_calls"] for r in sel) / n, 3) if sel else None
        result[f"mean_prompt_tokens_{g}"] = round(sum(r["prompt_tokens"] for r in sel) / n, 1) if sel else None
        result[f"mean_completion_tokens_{g}"] = round(sum(r["completion_tokens"] for r in sel) / n, 1) if sel else None
        result[f"mean_seconds_{g}"] = round(sum(r["seconds"] for r in sel) / n, 3) if sel else None
    # the same, grouped by how many orchestrations were actually routed (differs from the above only
    # when a real model routes otherwise than the dev set expects)
    result["by_routed"] = {
        g: {"n": len(sel), "mean_llm_calls": round(sum(r["llm_calls"] for r in sel) / len(sel), 3),
            "mean_prompt_tokens": round(sum(r["prompt_tokens"] for r in sel) / len(sel), 1),
            "mean_completion_tokens": round(sum(r["completion_tokens"] for r in sel) / len(sel), 1)}
        for g in GROUPS if (sel := [r for r in rows if group_of(len(r["routed"])) == g])
    }
    result["routed_as_expected"] = sum(r["routed"] == r["expected"] for r in rows)
    result["errors"] = sum(r["error"] is not None for r in rows)
    result["targets"] = {"mean_llm_calls_single": 2, "mean_llm_calls_none": 1, "mean_llm_calls_multi": 2}
    result["token_counts"] = "estimate_tokens of requests and replies" if backend == "scripted" else "as the backend reports"
    result["per_query"] = rows
    return result


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench llm_calls")
    ap.add_argument("--backend", choices=["scripted", "local"], default="scripted")
    ap.add_argument("--limit", type=int, default=None, help="only the first N questions")
    ap.add_argument("--per-query", action="store_true", help="keep the per-question rows in the JSON")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    r = asyncio.run(run(args.backend, args.limit))
    if not args.per_query:
        r.pop("per_query")
    emit(r, args.json, (
        f"llm_calls ({r['backend']}, {r['queries']} questions): mean LLM calls none {r['mean_llm_calls_none']}, "
        f"single {r['mean_llm_calls_single']}, multi {r['mean_llm_calls_multi']}; "
        f"prompt tokens none/single/multi {r['mean_prompt_tokens_none']}/{r['mean_prompt_tokens_single']}/{r['mean_prompt_tokens_multi']}"
    ))
    return 0
