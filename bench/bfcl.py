"""`python -m bench bfcl --data DIR --category NAME [--limit N] [--grammar on|off] --json`.

Runs the local backend on a Berkeley Function Calling Leaderboard (v4) category and scores it with
an AST checker following BFCL's rules:

- the function name matches (dotted names such as `math.factorial` are kept as they are);
- every required parameter is present and no unknown parameter is given;
- every value has the documented type (an int is acceptable for a float, a tuple is a list);
- every value is one of the acceptable ones after BFCL's string normalisation (lower case, without
  spaces and `,./-_*^`); `""` among them means the parameter may be left out;
- parallel categories: as many calls as expected, matched in any order;
- irrelevance: passes only when no call is made.

`--mismatched` builds a proxy of the irrelevance category from the category's own cases: each
question is offered the functions of the case 137 places later (a function written for another
question), under `auto`, and passes only when no call is made. The real irrelevance file is scored
with `--file`.

tool_choice: `required` for the categories that always expect a call (simple, multiple, parallel,
live_simple, ...), `auto` for irrelevance and live_relevance/live_irrelevance.
`--grammar off` decodes the same prompt without any grammar and parses the JSON it writes.
"""

from __future__ import annotations

import argparse
from pathlib import Path
import asyncio
import json
import os
import re
import sys
import time
from typing import Any

DEFAULT_DATA = str(Path(__file__).resolve().parents[2] / "shared/data/bfcl")
AUTO_CATEGORIES = ("irrelevance", "live_irrelevance", "live_relevance")

# -- BFCL function docs -> JSON Schema ------------------------------------------------------
_TYPES = {"dict": "object", "object": "object", "float": "number", "number": "number", "double": "number",
          "integer": "integer", "int": "integer", "long": "integer", "boolean": "boolean", "bool": "boolean",
          "string": "string", "str": "string", "array": "array", "list": "array", "tuple": "array",
          "hashmap": "object", "hashtable": "object", "any": None}


def to_json_schema(node: Any, top: bool = False) -> dict[str, Any]:
    """One BFCL parameter doc as JSON Schema; optional properties may be omitted (not nullable)."""
    if not isinstance(node, dict):
        return {}
    kind = str(node.get("type", "any")).lower()
    out: dict[str, Any] = {}
    mapped = _TYPES.get(kind, "string")
    if mapped is not None:
        out["type"] = mapped
    if node.get("description"):
        out["description"] = str(node["description"])
    if "enum" in node and isinstance(node["enum"], list):
        out["enum"] = node["enum"]
    if mapped == "array":
        out["items"] = to_json_schema(node.get("items") or {"type": "any"})
    if mapped == "object" and (isinstance(node.get("properties"), dict) or top):
        props = node.get("properties") or {}
        out["properties"] = {k: to_json_schema(v) for k, v in props.items()}
        out["required"] = [r for r in node.get("required", []) if r in props]
        out["additionalProperties"] = False
    return out


def to_tool_spec(function: dict[str, Any]):
    from agent.llm import ToolSpec

    return ToolSpec(function["name"], function.get("description", ""), to_json_schema(function.get("parameters") or {}, top=True))


# -- the AST checker ------------------------------------------------------------------------
_PUNCT = re.compile(r"[ \,\.\/\-\_\*\^]")


def normalize(value: Any) -> Any:
    """BFCL's string standardisation, applied inside lists and dicts too."""
    if isinstance(value, str):
        return _PUNCT.sub("", value).lower().replace("'", '"')
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    return value


def type_ok(value: Any, doc: dict[str, Any]) -> bool:
    kind = str(doc.get("type", "any")).lower()
    if kind == "any" or value is None:
        return True
    if kind in ("float", "number", "double"):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind in ("integer", "int", "long"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("boolean", "bool"):
        return isinstance(value, bool)
    if kind in ("string", "str"):
        return isinstance(value, str)
    if kind in ("array", "list", "tuple"):
        if not isinstance(value, list):
            return False
        items = doc.get("items")
        return all(type_ok(v, items) for v in value) if isinstance(items, dict) else True
    if kind in ("dict", "object", "hashmap", "hashtable"):
        return isinstance(value, dict)
    return True


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, dict) and isinstance(value, dict):  # nested dict: param -> acceptable values
        for key, allowed in expected.items():
            options = allowed if isinstance(allowed, list) else [allowed]
            if key not in value:
                if "" not in options:
                    return False
                continue
            if not any(_same(value[key], o) for o in options if o != "" or value[key] == ""):
                return False
        return all(k in expected for k in value)
    if isinstance(expected, float) or isinstance(value, float):
        try:
            return float(value) == float(expected) and not isinstance(value, (str, bool))
        except (TypeError, ValueError):
            return False
    return normalize(value) == normalize(expected)


def check_call(call: tuple[str, dict[str, Any]], expected: dict[str, dict[str, list]], functions: dict[str, dict]) -> str | None:
    """None if `call` matches the one expected call (`{name: {param: [acceptable values]}}`), else why not."""
    name, args = call
    (want_name, params), = expected.items()
    if name != want_name:
        return f"wrong function {name!r} (expected {want_name!r})"
    doc = (functions.get(name) or {}).get("parameters") or {}
    props = doc.get("properties") or {}
    args = {k: v for k, v in args.items() if v is not None}  # null = left out
    for req in doc.get("required", []):
        if req not in args:
            return f"missing required parameter {req!r}"
    for key, value in args.items():
        if key not in props:
            return f"unknown parameter {key!r}"
        if not type_ok(value, props[key]):
            return f"parameter {key!r} has the wrong type ({type(value).__name__})"
        allowed = params.get(key)
        if allowed is None:
            return f"unexpected parameter {key!r}"
        if not any(_same(value, a) for a in allowed if a != ""):
            return f"parameter {key!r}: {value!r} is not one of {allowed!r}"
    for key, allowed in params.items():
        if key not in args and "" not in allowed:
            return f"missing parameter {key!r}"
    return None


def check(calls: list[tuple[str, dict[str, Any]]], ground_truth: list[dict], functions: dict[str, dict],
          irrelevance: bool = False) -> tuple[bool, str]:
    """BFCL AST check of a whole reply; parallel calls are matched in any order."""
    if irrelevance:
        return (not calls, "no call" if not calls else f"called {calls[0][0]!r} though no function fits")
    if len(calls) != len(ground_truth):
        return False, f"{len(calls)} calls, expected {len(ground_truth)}"

    def match(i: int, used: frozenset[int]) -> bool:
        if i == len(ground_truth):
            return True
        return any(j not in used and check_call(calls[j], ground_truth[i], functions) is None and match(i + 1, used | {j})
                   for j in range(len(calls)))

    if match(0, frozenset()):
        return True, "ok"
    if len(calls) == 1:
        return False, check_call(calls[0], ground_truth[0], functions) or "no match"
    return False, "the calls do not match the expected ones in any order"


# -- running --------------------------------------------------------------------------------
def category_of(path: str) -> str:
    """The BFCL category a file holds, from its name: BFCL_v4_parallel.json -> parallel."""
    name = os.path.basename(path).removesuffix(".json").removesuffix(".jsonl")
    return re.sub(r"^BFCL_v\d+_", "", name)


def load(data: str, category: str, path: str | None = None) -> tuple[list[dict], dict[str, list]]:
    """Cases and ground truth of a category in `data`, or of the category file `path` (its answers,
    if any, in `possible_answer/` beside it under the same name)."""
    path = path or os.path.join(data, f"BFCL_v4_{category}.json")
    cases = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
    answers: dict[str, list] = {}
    apath = os.path.join(os.path.dirname(path), "possible_answer", os.path.basename(path))
    if os.path.exists(apath):
        for line in open(apath, encoding="utf-8"):
            if line.strip():
                a = json.loads(line)
                answers[a["id"]] = a["ground_truth"]
    return cases, answers


def _messages(case: dict[str, Any]):
    from agent.llm import Message

    turns = case.get("question") or []
    first = turns[0] if turns and isinstance(turns[0], list) else turns
    return [Message(m.get("role", "user") if m.get("role") in ("system", "user", "assistant") else "user", m.get("content", ""))
            for m in first]


def parse_free_text(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Calls in an unconstrained reply: the first JSON list or object in it, if any."""
    for opener in ("[", "{"):
        start = text.find(opener)
        while start != -1:
            try:
                value, _ = json.JSONDecoder().raw_decode(text[start:])
            except ValueError:
                start = text.find(opener, start + 1)
                continue
            items = value if isinstance(value, list) else [value]
            calls = [(i["name"], i.get("arguments") or {}) for i in items
                     if isinstance(i, dict) and isinstance(i.get("name"), str) and isinstance(i.get("arguments", {}), dict)]
            return calls
    return []


async def run_case(llm, case: dict[str, Any], choice: str, grammar: bool, max_tokens: int) -> tuple[list, bool, str]:
    """(calls as (name, args), schema-valid?, raw reply)."""
    from agent.llm import LLMRequest

    specs = [to_tool_spec(f) for f in case["function"]]
    messages = _messages(case)
    if grammar:
        response = await llm.complete(LLMRequest(messages, specs, choice, temperature=None, max_tokens=max_tokens))
        calls = []
        for c in response.tool_calls:
            try:
                calls.append((c.name, c.parsed_arguments()))
            except ValueError:
                calls.append((c.name, {}))
        raw = json.dumps([[c.name, c.arguments] for c in response.tool_calls]) if response.tool_calls else response.text
    else:
        raw = await asyncio.to_thread(_free_decode, llm, messages, specs, choice, max_tokens)
        calls = parse_free_text(raw)
    return calls, _valid(calls, specs), raw


def _free_decode(llm, messages, specs, choice: str, max_tokens: int) -> str:
    """The same tool prompt, decoded with no grammar at all (the baseline)."""
    from agent.llm._local.grammar import grounded_schema
    from agent.llm._local.prompt import chat_messages, tools_block

    loaded = llm._loaded
    block = tools_block([(s, grounded_schema(s.parameters, None)) for s in specs], choice == "auto")
    with loaded.lock:
        text = loaded.template.render(chat_messages(messages, block))
        loaded.runner.prefill(loaded.runner.tokenize(text, special=True))
        return loaded.runner.generate(max_tokens).text


def _valid(calls, specs) -> bool:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover
        jsonschema = None
    by_name = {s.name: s for s in specs}
    if not calls:
        return False
    for name, args in calls:
        if name not in by_name:
            return False
        if jsonschema is not None:
            try:
                jsonschema.validate(args, by_name[name].parameters)
            except jsonschema.ValidationError:
                return False
    return True


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench bfcl")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--category", default="simple_python")
    ap.add_argument("--file", default=None, help="a BFCL category file (e.g. BFCL_v4_irrelevance.json); overrides --category")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--grammar", choices=("on", "off"), default="on")
    ap.add_argument("--engine", choices=("llguidance", "gbnf"), default="llguidance")
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=160)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cases", action="store_true", help="include per-case results")
    ap.add_argument("--mismatched", action="store_true", help="offer each question another case's functions (an irrelevance proxy)")
    args = ap.parse_args(argv)

    from agent.llm.llamacpp import LlamaCppChat

    if args.file:
        args.category = category_of(args.file)
    cases, answers = load(args.data, args.category, args.file)
    if args.mismatched:
        cases = mismatched(cases)
        args.category, answers = f"{args.category} (mismatched)", {}
    cases = cases[: args.limit] if args.limit else cases
    irrelevance = "irrelevance" in args.category or args.mismatched
    choice = "auto" if args.category.startswith(AUTO_CATEGORIES) or irrelevance else "required"
    llm = LlamaCppChat(args.model, n_threads=args.threads, engine=args.engine)

    async def run_all() -> list[dict]:
        out = []
        for case in cases:
            t = time.perf_counter()
            calls, valid, raw = await run_case(llm, case, choice, args.grammar == "on", args.max_tokens)
            functions = {f["name"]: f for f in case["function"]}
            truth = answers.get(case["id"], [])
            ok, why = check(calls, truth, functions, irrelevance=irrelevance or (not truth and case["id"] not in answers))
            out.append({"id": case["id"], "ok": ok, "valid": valid, "why": why, "reply": raw[:300],
                        "seconds": round(time.perf_counter() - t, 2)})
        return out

    start = time.perf_counter()
    results = asyncio.run(run_all())
    n = len(results)
    expect_calls = [r for r in results] if not irrelevance else []
    summary = {
        "benchmark": "bfcl",
        "category": args.category,
        "grammar": args.grammar,
        "engine": args.engine if args.grammar == "on" else None,
        "tool_choice": choice,
        "model": llm.model,
        "n": n,
        "ast_accuracy": round(sum(r["ok"] for r in results) / n, 4) if n else 0.0,
        "valid_call_rate": round(sum(r["valid"] for r in expect_calls) / len(expect_calls), 4) if expect_calls else None,
        "seconds": round(time.perf_counter() - start, 1),
        "failures": _tally(r["why"] for r in results if not r["ok"]),
    }
    if args.cases:
        summary["cases"] = results
    if args.json:
        print(json.dumps(summary))
    else:
        print(json.dumps(summary, indent=1))
    return 0


MISMATCH_OFFSET = 137


def mismatched(cases: list[dict]) -> list[dict]:
    """Each case's question with the functions of the case MISMATCH_OFFSET places later (cyclically)."""
    n = len(cases)
    return [{**case, "id": f"{case['id']}-mismatched", "function": cases[(i + MISMATCH_OFFSET) % n]["function"]}
            for i, case in enumerate(cases)] if n > 1 else []


def _tally(reasons) -> dict[str, int]:
    out: dict[str, int] = {}
    for why in reasons:
        key = why.split(":")[0].split("(")[0].strip()
        key = re.sub(r"'[^']*'", "X", key)
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
