"""One call per value: the other values a request names for a call's string argument.

After a call's arguments are decoded, each required span-constrained string argument (`spans.py`)
is scored again at the place its value was written: the model's log-probability of the value it
wrote, and of every other short span of the request (1..`MAX_WORDS` words sharing no word with a
value the call already took). A span the model finds about as likely as its own choice (within
`margin` nats) is another value of that argument: "the weather in Lisbon and in Porto" -> a second
call with city="Porto". Values come back in the order the request writes them, so the calls pair
them as written. Nothing here knows a language or a tool: spans are what whitespace separates,
and the decision is the model's own probabilities.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .engine import Runner
from .spans import _LEADING, _TRAILING

__all__ = ["DEFAULT_MARGIN", "MAX_WORDS", "other_values"]

DEFAULT_MARGIN = 4.0
MAX_WORDS = 3
MAX_CANDIDATES = 48
_DEBUG = bool(os.environ.get("FINAGENT_DEBUG_VALUES"))


def _clean(word: str) -> str:
    return word.lstrip(_LEADING).rstrip(_TRAILING)


def candidates(request: str, taken: list[str]) -> list[tuple[int, str]]:
    """(position, span) of the request's short spans that share no word with the `taken` values."""
    used = {w.lower() for t in taken for w in (_clean(x) for x in t.split()) if w}
    raw = request.split()
    words = [_clean(w) for w in raw]
    aliases = _aliases(raw, words, used)
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i in range(len(words)):
        for n in range(1, MAX_WORDS + 1):
            part = words[i:i + n]
            if len(part) < n or not all(part) or any(w.lower() in used for w in part) or any(c in w for w in part for c in '"\\'):
                break
            if aliases & set(range(i, i + n)):
                break
            span = " ".join(part)
            if span not in seen:
                seen.add(span)
                out.append((i, span))
    return out[:MAX_CANDIDATES]


def _aliases(raw: list[str], words: list[str], used: set[str]) -> set[int]:
    """Positions of another name of a taken value, written beside it in brackets: "Apple (AAPL)",
    "AAPL (Apple Inc.)". The same thing named twice is not a second value."""
    out: set[int] = set()
    for i, word in enumerate(words):
        if word.lower() not in used:
            continue
        if raw[i].startswith("("):  # "Name (VALUE)": the words just before are its name
            for j in range(i - 1, max(-1, i - 1 - MAX_WORDS), -1):
                if raw[j][-1:] in ",;:.!?)":
                    break
                out.add(j)
        if i + 1 < len(raw) and raw[i + 1].startswith("("):  # "VALUE (Name)": the bracketed words
            for j in range(i + 1, min(len(raw), i + 1 + MAX_WORDS)):
                out.add(j)
                if ")" in raw[j]:
                    break
    return out


def other_values(runner: Runner, call_start: int, opener: str, arguments: dict[str, Any], schema: dict[str, Any],
                 request: str, margin: float = DEFAULT_MARGIN, limit: int = 3) -> tuple[str, list[Any]]:
    """(argument, other values) for the first required span-constrained argument of the call that
    the request gives other values; ("", []) when none. The context is restored afterwards.

    `call_start`: the context length before the call's `opener` (the text up to its arguments
    object, e.g. `[{"name":"f","arguments":`) was fed."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    here = runner.n_tokens
    tail = [int(t) for t in runner.llama.input_ids[call_start:here]]
    taken = [v for v in arguments.values() if isinstance(v, str)]
    try:
        for key, value in arguments.items():
            prop = props.get(key) or {}
            if key not in required or not isinstance(value, str) or "pattern" not in prop:
                continue
            options = candidates(request, taken)
            if not options:
                return "", []
            before = {k: v for k, v in list(arguments.items())[: list(arguments).index(key)]}
            prefix = opener + json.dumps(before, separators=(",", ":"), ensure_ascii=False)[:-1]
            prefix += ("," if before else "") + json.dumps(key) + ':"'
            runner.truncate(call_start)
            runner.feed(runner.tokenize(prefix))
            texts = [json.dumps(value, ensure_ascii=False)[1:]] + [json.dumps(s, ensure_ascii=False)[1:] for _, s in options]
            scores = [s for s, _ in runner.score_options(texts)]
            own = scores[0]
            found = [(pos, span, sc) for (pos, span), sc in zip(options, scores[1:]) if sc >= own - margin]
            if _DEBUG:
                ranked = sorted(zip(scores[1:], (s for _, s in options)), reverse=True)[:5]
                print(f"[values] {key}={value!r} {own:.2f}; best others {[(s, round(x, 2)) for x, s in ranked]}")
            kept: list[tuple[int, str]] = []
            for pos, span, _ in sorted(found, key=lambda f: -f[2]):
                if len(kept) < limit and not any(set(span.lower().split()) & set(k.lower().split()) for _, k in kept):
                    kept.append((pos, span))
            if kept:
                return key, [span for _, span in sorted(kept)]
        return "", []
    finally:
        runner.truncate(call_start)
        runner.feed(tail)
