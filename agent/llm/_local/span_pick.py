"""A span-constrained string argument's value, checked whole.

Decoded token by token, a span argument (`spans.py`) takes whichever word the model finds likeliest
to start a string, and then whatever follows it: "also find me anything by Sally Rooney" gives
query="find" (a likely first word of anything), and "renew The Women and show me what else I've
got" gives loan="The Women and show me" (each next word likelier than the string's end).

So the model also scores spans as whole values: the probability of the span's tokens and of the
string closing right after it (`whole_span_scores`, before the call is decoded). The starting words
the model finds likeliest (`STARTS`, ranked by their first token, read off the logits at hand) are
each evaluated once, in one batch, over their longest run; every shorter span from that start is
scored from the same pass. When a span is clearly likelier whole than the decoded value (by
`MARGIN` nats: `likelier`), the call is decoded again with that value pinned. A near tie keeps the
decoded value: word by word the model is right about as often ("from London to Oslo" scores
London and Oslo as the origin within 0.1 nats).

Nothing here knows a tool or a language: the spans are the ones the argument's pattern allows,
and the choice is the model's own probability of each complete value.
"""

from __future__ import annotations

import json
import re
import weakref
from collections.abc import Iterable
from typing import Any

import numpy as np

from .engine import Runner, log_softmax
from .shapes import shaped_values
from .spans import _LEADING, _TRAILING, MAX_SPAN_WORDS, bare, is_span, recent_lines

__all__ = ["MARGIN", "STARTS", "Scored", "likelier", "unscored", "whole_span_scores", "with_decoded", "with_values", "without_spans"]

STARTS = 3
"""How many starting words (the likeliest by their first token) are scored in full, wherever the
conversation writes them ("Boston" in an earlier request and in an earlier call's value)."""
MARGIN = 1.5
"""A whole span replaces the decoded value when it is this many nats likelier."""


Scored = dict[str, tuple[dict[str, float], dict[str, Any]]]
"""Per span argument: the model's score of each span as its whole value, and the earlier arguments'
values that scoring assumed."""


def whole_span_scores(runner: Runner, schema: dict[str, Any], fixed: dict[str, Any], text: str, starts: int = STARTS) -> Scored:
    """Before a call's arguments are decoded: for each leading span-constrained argument (those
    whose earlier arguments are pinned in `fixed` or span arguments too), the model's score of each
    span of `text` as its whole value (from the `starts` likeliest starting words; spans its pattern
    allows), assuming the earlier span arguments take their best-scored spans, which a value written
    once leaves to them ("save Take Five to my Road Trip playlist": the playlist is not scored as
    "Take Five" too; a decoded duplicate is left to `distinct`, which decodes both ways: pinning
    the best other span gave "I'm a Mexican citizen travelling to Norway" two passports). The
    context must end where the arguments object starts; it is left so."""
    props = schema.get("properties") or {}
    written: dict[str, Any] = {}
    out: Scored = {}
    for key, prop in props.items():
        if key in fixed:
            written[key] = fixed[key]
            continue
        if not isinstance(prop, dict) or "pattern" not in prop or prop.get("type") != "string":
            break
        lead = _lead(written, key)
        scores = _scores(runner, lead, text, re.compile(prop["pattern"]), starts)
        taken = {v.lower() for v in written.values() if isinstance(v, str) and text.lower().count(v.lower()) < 2}
        scores = {span: score for span, score in scores.items() if span.lower() not in taken}  # written once: one argument's
        if not scores:
            break
        out[key] = (scores, dict(written))
        written[key] = max(scores, key=lambda span: scores[span])
    return out


def likelier(scored: Scored, decoded: dict[str, Any], margin: float = MARGIN) -> dict[str, str]:
    """The values to pin instead of the decoded ones: for each scored argument, the span the model
    scored clearly likelier (by `margin`) than the decoded value. An argument is judged only while
    the earlier values are the ones its scoring assumed, and only when its decoded value was scored
    (its start among the likeliest); {} keeps the call as decoded."""
    pinned: dict[str, str] = {}
    for key, (scores, assumed) in scored.items():
        if any(pinned.get(k, decoded.get(k)) != v for k, v in assumed.items()):
            break
        value = decoded.get(key)
        if not isinstance(value, str) or value not in scores:
            continue
        best = max(scores, key=lambda span: scores[span])
        if scores[best] > scores[value] + margin:
            pinned[key] = best
    return pinned


def with_decoded(runner: Runner, scored: Scored, decoded: dict[str, Any]) -> Scored:
    """`scored` with each decoded value the scoring left out (its start was not among the likeliest)
    scored too, while the earlier values are the ones its scoring assumed: "add Clair de Lune to
    Focus" decoded the song "Focus", a start the scoring did not reach: -7.4 whole, against -2.6
    for "Clair de Lune" (`likelier` then pins it). The context must be where the arguments
    object starts; it is left so."""
    out = dict(scored)
    for key, value in _unreached(scored, decoded):
        if toks := runner.tokenize(value):
            scores, assumed = scored[key]
            here = runner.checkpoint()
            runner.feed(runner.tokenize(_lead(assumed, key)))
            try:
                steps, stops = runner.path_logprobs(toks, _closers(runner))
            finally:
                runner.restore(here)
            out[key] = ({**scores, value: sum(steps) + stops[-1]}, assumed)
    return out


def unscored(scored: Scored, decoded: dict[str, Any]) -> bool:
    """Whether a decoded span value that `likelier` would judge was left out of the scoring."""
    return bool(_unreached(scored, decoded))


def _unreached(scored: Scored, decoded: dict[str, Any]) -> list[tuple[str, str]]:
    """(argument, decoded value) of each value `_left_out` of its scoring, while the earlier values
    are the ones that scoring assumed."""
    out = []
    for key, (scores, assumed) in scored.items():
        if any(decoded.get(k) != v for k, v in assumed.items()):
            break
        value = decoded.get(key)
        if isinstance(value, str) and _left_out(value, scores, assumed):
            out.append((key, value))
    return out


def _lead(written: dict[str, Any], key: str) -> str:
    """The arguments object written up to the opening quote of argument `key`'s string value."""
    return json.dumps(written, separators=(",", ":"), ensure_ascii=False)[:-1] + ("," if written else "") + json.dumps(key) + ':"'


def _left_out(value: Any, scores: dict[str, float], assumed: dict[str, Any]) -> bool:
    """A decoded span value the scoring did not reach, no earlier argument's (a duplicate is
    `distinct`'s to part, both ways), and sharing no word with the best scored span: a whole
    value scores lower the longer it is, so a part of the decoded value is no reading of another
    one (BFCL multiple_67: "how are you" of "Hello, how are you?")."""
    if not (isinstance(value, str) and value.strip() and scores) or value in scores:
        return False
    if value.lower() in {v.lower() for v in assumed.values() if isinstance(v, str)}:
        return False
    best = max(scores, key=lambda span: scores[span])
    return not _words(best) & _words(value)


def _words(text: str) -> set[str]:
    return {w for w in (bare(x).lower() for x in text.split()) if w}


def without_spans(scored: Scored, values: Iterable[Any]) -> Scored:
    """`scored` without the spans that are `values` (in any case): values other arguments took."""
    gone = {v.lower() for v in values if isinstance(v, str)}
    return {key: ({span: sc for span, sc in scores.items() if span.lower() not in gone}, assumed)
            for key, (scores, assumed) in scored.items()}


def _scores(runner: Runner, lead: str, text: str, allowed: re.Pattern[str], count: int = STARTS) -> dict[str, float]:
    here = runner.checkpoint()
    runner.feed(runner.tokenize(lead))
    try:
        first = log_softmax(runner.logits())
        heads: dict[str, tuple[float, list[str], list[int]]] = {}
        for words in _runs(text):
            run = " ".join(words)
            if run not in heads and (toks := runner.tokenize(run)):
                heads[run] = (float(first[toks[0]]), words, toks)
        ranked = sorted(heads.values(), key=lambda h: -h[0])
        starts = list(dict.fromkeys(words[0].rstrip(_TRAILING) for _, words, _ in ranked))[:count]
        ends = _closers(runner)
        scores: dict[str, float] = {}
        for _, words, toks in (h for h in ranked if h[1][0].rstrip(_TRAILING) in starts):
            steps, stops = runner.path_logprobs(toks, ends)
            for n in range(1, len(words) + 1):
                span = " ".join([*words[:n - 1], words[n - 1].rstrip(_TRAILING)])
                k = _boundary(runner, toks, span)
                if k is not None and allowed.fullmatch(span):
                    scores[span] = max(scores.get(span, float("-inf")), sum(steps[:k]) + stops[k - 1])
        return scores
    finally:
        runner.restore(here)


def _runs(text: str) -> list[list[str]]:
    """For each word of `text`'s recent lines (`spans.recent_lines`, as `spans.span_pattern` reads
    them), the longest run of words a span may take from it: up to `MAX_SPAN_WORDS`, within its
    line, without their leading punctuation."""
    out: list[list[str]] = []
    for line in recent_lines(text):
        kept = [w.lstrip(_LEADING) for w in line]
        out += [kept[i:i + MAX_SPAN_WORDS] for i in range(len(kept)) if kept[i].rstrip(_TRAILING)]
    return out


def _boundary(runner: Runner, toks: list[int], span: str) -> int | None:
    """How many of `toks` (a run's tokens) write `span` exactly, or None when its tokens are not a
    prefix of them (the run tokenizes across the span's end)."""
    own = runner.tokenize(span)
    return len(own) if own and toks[:len(own)] == own else None


_CLOSERS: weakref.WeakKeyDictionary[Runner, np.ndarray] = weakref.WeakKeyDictionary()


def _closers(runner: Runner) -> np.ndarray:
    """The tokens that close a JSON string value: a quote, then nothing but `,`, `}` or spaces."""
    if runner not in _CLOSERS:
        pieces = ((t, runner.piece(t).decode("utf-8", "ignore")) for t in range(runner.n_vocab))
        _CLOSERS[runner] = np.array([t for t, p in pieces if p.startswith('"') and all(c in ",} \n" for c in p[1:])], dtype=np.int64)
    return _CLOSERS[runner]


def with_values(schema: dict[str, Any], values: dict[str, list[str]], text: str) -> dict[str, Any]:
    """`schema` in which each span-constrained argument (not one held to a shape its description
    shows and `text` writes) may also take its `values` whole, for scoring spans (Python's `re`;
    a pinned value is decoded as an enum): for a part of a request, the values this turn's earlier
    calls gave an argument of the same kind ("Find a hotel in Athens ... | and tell me the weather
    there": the forecast's city is the hotel's)."""
    props = schema.get("properties") or {}
    new = dict(props)
    for key, prop in props.items():
        pattern = prop.get("pattern") if is_span(prop) else None
        extra = "|".join(re.escape(v) for v in dict.fromkeys(values.get(key, [])) if v.strip())
        if extra and isinstance(pattern, str) and pattern.startswith("^") and pattern.endswith("$") \
                and not shaped_values(str(prop.get("description") or ""), text):
            new[key] = {**prop, "pattern": "^(?:(?:" + pattern[1:-1] + ")|" + extra + ")$"}
    return {**schema, "properties": new} if new != props else schema
