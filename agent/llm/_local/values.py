"""One call per value: the next value a request names for a call's argument.

After a call is written, each required span-constrained string argument (`spans.py`), number
grounded in the request's own, or string choice (an enum) may have other values in the request:
"the weather in Lisbon and in Porto" -> a second call with city="Porto". The model decides:
another call of the same function is scored with each candidate value and with the value just
written again; a candidate about as likely as the repeat is the next call's value (`next_value`). The backend asks again
after that call, so a list of any length is followed item by item ("Rome, Florence and Venice").

A candidate is written the way items of one list are written, in any language: next to a value of
the same kind that the call took (the nearest on each side), apart from it (a punctuation mark, or
1..`MAX_GAP` words between: "Lisbon and in Porto", "Rome, Florence"), and of the same form
(capitalised or not, a number or not: "Mississippi" has no other value in "Mississippi river", nor
"Brazil" in "the population"), and not one letter beside longer values ("I", "a"). A word right
beside the value is a modifier ("human cell", "the function 2x^2"). Lists chain only through
punctuation. The next value is a span the argument's pattern allows (`spans.py`: no opening word
first, no joining word last), like the value itself. Nothing here knows a language or a tool: words are what whitespace separates, and
the decision is the model's own probabilities.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from core.schema import non_null

from .arguments import _is_number, _value_key
from .choices import named_lists
from .engine import Runner
from .prompt import NEXT_CALL
from .spans import bare, is_span

__all__ = ["DEFAULT_MARGIN", "MAX_GAP", "MAX_WORDS", "candidates", "next_value"]

DEFAULT_MARGIN = 3.0
"""A candidate this many nats below repeating the value just written is still the next value. At
2.5, "play Dreams and then Wonderwall" (Dreams 2.9 below) and "Do you have The Overstory or
Braiding Sweetgrass in ebook?" (2.6) made one call; at 3.0 they make two, no other dev case
changes, BFCL multiple keeps its 63 of 100 and simple_python loses one (72 of 100: "the curve
y=x^2 from x=1 to x=3" gets calls for "x=1")."""
CHOICE_LEAD = 2.0
"""A choice named as an item beside the value (the request's own list of the argument's choices) is
the next value within this many nats more: "find Thai and Italian recipes" scored the cuisine
"thai" 4.1 nats below repeating "italian" (tuned on that dev case; a larger lead reads more into
a negation such as "Thai recipes, not Italian")."""
MAX_WORDS = 3
MAX_GAP = 2
"""At most this many words between two items of one list ("Lisbon and in Porto")."""
MAX_CANDIDATES = 48
_DEBUG = bool(os.environ.get("FINAGENT_DEBUG_VALUES"))


def candidates(request: str, taken: list[str], own: str = "", call: Sequence[str] = ()) -> list[tuple[int, str]]:
    """(position, span) of the request's short spans that share no word with the `taken` values
    and are written as other items of a list beside `own` (the value whose alternatives are
    sought; the first taken value when not given) or beside the other taken values. `call`: the
    values of the call just written (the others taken were earlier calls'), whose record with
    `own` is one item of a list of records."""
    used = {w.lower() for t in taken for w in (bare(x) for x in t.split()) if w}
    raw = request.split()
    words = [bare(w) for w in raw]
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
    values = {i for i, w in enumerate(words) if w and w.lower() in used}
    own = own or (taken[0] if taken else "")
    form = _form(next((words[i] for i in sorted(values) if own and words[i].lower() == bare(own.split()[0]).lower()), own))
    # items of the list are the value's kind: "70" is no neighbour for a planet ("on Mars if my weight on Earth is 70 kg")
    anchors = {i for i in values if _form(words[i]) == form} | aliases  # another name of a value is part of it
    record = _record(words, own, [v for v in call if v != own], form)
    # a number between two names is another argument's value in a list of records ("Pad Thai for 4 and Guacamole")
    held = {i for i, w in enumerate(words) if _form(w) == "number"} if form != "number" and any(_form(v) == "number" for v in call) else set()
    held |= _echoes(words, own, values)
    listed = _listed(raw, words, out, anchors, form, held | record) | _framed(raw, words, out, own, values, form)
    short = len(bare(own)) > 1  # a one-letter word is no item of a list of names
    return [c for c in out if c in listed and c[0] not in record and not (short and len(c[1]) == 1)][:MAX_CANDIDATES]


def _record(words: list[str], own: str, others: list[str], form: str) -> set[int]:
    """The positions of `own` (where first written) and of the call's `others` values written
    with it, each at most `MAX_GAP` words from the last and no word of `own`'s form between, with
    the words between them: one item of a list of records ("scale Pad Thai for 4 and Guacamole for
    12": "Guacamole" is the next item after "Pad Thai for 4"). Empty when no other value is."""
    lower = [w.lower() for w in words]

    def where(value: str) -> list[tuple[int, int]]:
        mine = [bare(x).lower() for x in value.split()]
        return [(i, i + len(mine) - 1) for i in range(len(lower)) if mine and lower[i:i + len(mine)] == mine]

    found = where(own)
    if not found:
        return set()
    lo, hi = found[0]
    first = lo
    left = [(o, spots) for o in others if (spots := where(o))]
    grew = True
    while grew:
        grew = False
        for item in list(left):
            for s, e in item[1]:
                gap = range(hi + 1, s) if s > hi else range(e + 1, lo)
                if (s > hi or e < lo) and len(gap) <= MAX_GAP and all(_form(words[j]) != form for j in gap):
                    lo, hi = min(lo, s), max(hi, e)
                    left.remove(item)
                    grew = True
                    break
    return set(range(lo, hi + 1)) if (lo, hi) != (first, found[0][1]) else set()


def _echoes(words: list[str], own: str, values: set[int]) -> set[int]:
    """The positions of words that repeat, right before a later word, the words written right
    before `own` (up to `MAX_GAP`): an item's own lead-in, not a gap between items ("search for the
    contract and for the invoice": "for the" leads in "invoice" as it does "contract")."""
    first = next((i for i in sorted(values) if words[i].lower() == bare(own.split()[0]).lower()), None) if own.split() else None
    if not first:
        return set()
    lead = [w.lower() for w in words[max(0, first - MAX_GAP):first]]
    out: set[int] = set()
    for pos in range(first + len(own.split()) + 1, len(words)):
        k = next((k for k in range(len(lead), 0, -1) if [w.lower() for w in words[pos - k:pos]] == lead[-k:]), 0)
        out |= set(range(pos - k, pos))
    return out


def _framed(raw: list[str], words: list[str], spans: list[tuple[int, str]], own: str, values: set[int], form: str) -> set[tuple[int, str]]:
    """The spans written between the same two words as the value sought, in the same sentence
    ("one for 5 minutes and one for 30 minutes": 30 is framed by "for" and "minutes" as 5 is),
    of the value's form."""
    n = len(own.split())
    sentence = [0, *accumulate(int(w[-1:] in ".!?") for w in raw[:-1])] if raw else []  # each word's sentence
    frames = {(words[i - 1].lower(), words[i + n].lower(), sentence[i]) for i in sorted(values)
              if 0 < i and i + n < len(words) and " ".join(words[i:i + n]).lower() == bare(own).lower()}
    out: set[tuple[int, str]] = set()
    for pos, span in spans:
        end = pos + len(span.split())
        if 0 < pos and end < len(words) and _form(span) == form and (words[pos - 1].lower(), words[end].lower(), sentence[pos]) in frames:
            out.add((pos, span))
    return out


def _form(word: str) -> str:
    """What kind of word a list item is: a number, capitalised, lower case or other (a script without case)."""
    first = bare(word)[:1]
    return "number" if first.isdigit() else "upper" if first.isupper() else "lower" if first.islower() else "other"


def _listed(raw: list[str], words: list[str], spans: list[tuple[int, str]], anchors: set[int], form: str,
            held: frozenset[int] | set[int] = frozenset()) -> set[tuple[int, str]]:
    """The spans written as further items of a list whose items include the anchors (a value's
    words). A span's form is its first word's, except at the start of a sentence, where a capital
    tells nothing. Lists chain through items set apart by punctuation ("Sydney, Cape Town and Rio
    de Janeiro"), not through words, so a sentence is not read as one long list. Words at `held`
    positions (other arguments' values) do not part two items."""
    starts = {0} | {i + 1 for i, w in enumerate(raw) if w[-1:] in ".!?"}
    items = set(anchors)
    kept: set[tuple[int, str]] = set()
    grew = True
    while grew:
        grew = False
        for pos, span in spans:
            end = pos + len(span.split())
            if (pos, span) in kept or pos in starts or _form(span) != form:
                continue
            left = max((a for a in items if a < pos), default=None)  # the nearest item on each side
            right = min((a for a in items if a >= end), default=None)
            before = [left] if left is not None and _apart(raw, words, left, pos, items, held, near_right=True) else []
            after = [right] if right is not None and _apart(raw, words, end - 1, right, items, held, near_right=False) else []
            if before or after:
                kept.add((pos, span))
                punctuated = any(raw[a][-1:] in _LIST_MARKS for a in before) or raw[end - 1][-1:] in _LIST_MARKS
                if punctuated and all(_form(w) == form for w in span.split()):
                    items |= set(range(pos, end))
                    grew = True
    return kept


_LIST_MARKS = ",;/·、，"


def _apart(raw: list[str], words: list[str], left: int, right: int, items: set[int],
           held: frozenset[int] | set[int] = frozenset(), near_right: bool = True) -> bool:
    """Whether word `left` and word `right` are neighbouring items of a list: 1..MAX_GAP words
    between (items left out), or none and a punctuation mark. Words at `held` positions (the rest
    of a record) are left out too, but then at most one word parts the record from the candidate
    (at the right end when `near_right`): "Pad Thai for 4 and Guacamole", not "Paris tomorrow
    and email Bob"."""
    between = [j for j in range(left + 1, right) if j not in items and j not in held]
    if len(between) > MAX_GAP:
        return False
    crossed = [j for j in range(left + 1, right) if j in held]
    if crossed and len([j for j in between if (j > max(crossed) if near_right else j < min(crossed))]) > 1:
        return False
    return bool(between) or raw[left][-1:] in _LIST_MARKS or right - left > 1


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


def next_value(runner: Runner, opener: str, arguments: dict[str, Any], schema: dict[str, Any], request: str,
               exclude: Sequence[Any] = (), only: str | None = None, margin: float = DEFAULT_MARGIN) -> tuple[str, Any]:
    """(argument, the value of the next call) for the first required argument of the call just
    written (`only`: that argument) that the request names another value for; ("", None) when none.
    The arguments considered are the span-constrained strings, the numbers grounded in the
    request's own (`arguments.ground_numbers`: "50 EUR and 80 EUR in NOK" -> amount 80 next) and
    string choices (an enum: "open on Saturday and Sunday" -> day "sunday" next, the choice named
    by the item beside the value). The context must end with the call's closing brace; it is left so.

    The test is the model's own: with the call written, another call of the same function, with
    the same arguments up to this one, is scored with every candidate value and with this call's
    value again (`opener` is the text the call began with, up to its arguments object). A candidate
    is the next value when the model finds it at least about as likely as repeating this call
    (within `margin` nats): given that another call follows, it is the one the request asks for.
    `exclude`: values earlier calls of the same chain took."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    taken = [_as_text(v) for v in [*arguments.values(), *exclude] if isinstance(v, str) or _is_number(v)]
    seen = {_value_key(v) for v in [*arguments.values(), *exclude] if isinstance(v, str) or _is_number(v)}
    here = runner.n_tokens
    body = opener.split('{"name":"', 1)[1]
    keys = list(arguments)
    for key, value in arguments.items():
        prop = props.get(key) or {}
        choices = _choices(value, prop, schema)
        if (only and key != only) or key not in required or not (choices or _splittable(value, prop)):
            continue
        found = candidates(request, taken, _as_text(value), [_as_text(v) for v in arguments.values() if isinstance(v, str) or _is_number(v)])
        if choices:  # another choice the request names as an item beside this one ("open on Saturday and Sunday")
            named = {v: (pos, span) for pos, span in reversed(found) if len(one := named_lists(span, {"": choices}, inflected=False)[""]) == 1
                     for v in one if v != value and _value_key(v) not in seen}  # each choice once, at its first naming
            options = sorted(((pos, span, v) for v, (pos, span) in named.items()), key=lambda o: o[0])
        else:
            options = [(pos, span, _value_of(span, value)) for pos, span in found]
            options = [o for o in options if o[2] is not None and (_allows(prop["pattern"], o[2]) if isinstance(value, str) else o[2] in prop["enum"])
                       and _value_key(o[2]) not in seen]  # a span the argument's pattern allows; "2e-9" is the 2e-09 already taken
        if not options:
            continue
        before = {k: v for k, v in list(arguments.items())[: keys.index(key)]}
        lead = NEXT_CALL + body + json.dumps(before, separators=(",", ":"), ensure_ascii=False)[:-1]
        lead += ("," if before else "") + json.dumps(key) + ':'
        end = "" if isinstance(value, str) else "," if keys.index(key) < len(keys) - 1 else "}"  # where a number ends
        texts = [lead + json.dumps(v, ensure_ascii=False) + end for v in [value, *(v for _, _, v in options)]]
        try:
            scores = [sc for sc, _ in runner.score_options(texts)]
        finally:
            runner.truncate(here)
        again = scores[0]
        best = max(range(len(options)), key=lambda k: scores[k + 1])
        if _DEBUG:
            ranked = sorted(zip(scores[1:], (sp for _, sp, _ in options)), reverse=True)[:5]
            print(f"[values] {key}={value!r} again {again:.2f}; best others {[(sp, round(x - again, 2)) for x, sp in ranked]}")
        if scores[best + 1] >= again - (margin + CHOICE_LEAD if choices else margin):
            return key, options[best][2]
    return "", None


def _allows(pattern: str, span: str) -> bool:
    """Whether the argument's `pattern` (`spans.py`) takes `span` whole; True when Python cannot
    read the pattern (a schema's own, for the grammar alone)."""
    try:
        return re.fullmatch(pattern, span) is not None
    except re.error:
        return True


def _as_text(value: Any) -> str:
    """A value as the request would write it (50.0 -> "50")."""
    if _is_number(value) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _choices(value: Any, prop: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The string enum of an argument whose value `value` is one of two or more; [] otherwise."""
    values = non_null(prop, schema).get("enum") if isinstance(value, str) and isinstance(prop, dict) else None
    if not isinstance(values, list) or len(values) < 2 or value not in values:
        return []
    return [v for v in values if isinstance(v, str)]


def _splittable(value: Any, prop: dict[str, Any]) -> bool:
    """A span-constrained string, or a number among the request's own (a grounded enum)."""
    if isinstance(value, str):
        return is_span(prop)
    return _is_number(value) and isinstance(prop.get("enum"), list) and len(prop["enum"]) > 1


def _value_of(span: str, like: Any) -> Any:
    """The candidate span as a value of the kind of `like`: the span itself, or the number it writes."""
    if isinstance(like, str):
        return span
    try:
        number = float(span.replace(",", ""))
    except ValueError:
        return None
    return int(number) if number.is_integer() and isinstance(like, int) else number
