"""Values paired as written: the calls one request makes for several values take them in order.

"Scale Pad Thai for 4 and Guacamole for 12" is two calls of one function, and the request pairs
each recipe with the number written after it; the model, choosing each call's number among the
request's own, may cross them (Pad Thai for 12). So across the calls made for one request's
several values, each argument whose values are all different and each written once takes them in
the order written, the calls ordered by where their first such argument's value is written
("respectively": base 10 and height 5, then base 15 and height 7). The same values are only
reordered; a number that repeats across the calls where the request writes one number beside
each call's value (both recipes for 12) takes the one beside it.

Nothing here knows a tool or a language: positions are where the request writes each value.
"""

from __future__ import annotations

import re
from typing import Any

from .arguments import _is_number, _numeric, _plain, number_matches, numbers_in

__all__ = ["paired_as_written"]


def paired_as_written(calls: list[dict[str, Any]], request: str) -> list[dict[str, Any]]:
    """`calls` (the arguments of two or more calls of one function, made for several values the
    `request` names) with each argument's values, when all different and each written once, in
    the order the request writes them, the calls keeping the order of the first such argument."""
    if len(calls) < 2:
        return calls
    keys = [k for k in calls[0] if all(k in c for c in calls)]
    where = {k: p for k in keys if (p := _positions([c[k] for c in calls], request)) is not None}
    if not where:
        return calls
    lead = next(k for k in keys if k in where)
    order = sorted(range(len(calls)), key=lambda i: where[lead][i])  # calls by where their lead value is written
    out = [dict(calls[i]) for i in order]
    leads = {str(c[lead]).lower() for c in calls}
    for key, positions in where.items():
        if key != lead and not leads & {str(c[key]).lower() for c in calls}:  # values both arguments take: no order pairs them
            values = [calls[i][key] for i in sorted(range(len(calls)), key=lambda i: positions[i])]
            for call, value in zip(out, values):
                call[key] = value
    for key in keys:
        others = [v for c in out for k, v in c.items() if k != key]
        if key not in where and (numbers := _one_each(sorted(where[lead]), [c[key] for c in out], request, others)):
            for call, value in zip(out, numbers):
                call[key] = value
    return out


def _one_each(leads: list[int], taken: list[Any], request: str, others: list[Any]) -> list[Any] | None:
    """The request's numbers, one per call in the order written, when a number argument's values
    repeat across the calls (Pad Thai and Guacamole both for 12) and the request writes exactly
    one number per call, each beside its own call's value (numbers and `leads`, the positions of
    the calls' values, alternate: "Pad Thai for 4 and Guacamole for 12"); None otherwise. Only
    numbers written as words of their own count ("7pm" is a time), and none of `others` (the
    calls' other values, or written inside them)."""
    if not all(_is_number(v) for v in taken) or len(set(taken)) == len(taken):
        return None
    alone = {float(m) for m in re.findall(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w]|\.\d)", _plain(request))}  # "4", not "7pm"
    numbers = [n for n in numbers_in(request) if n in alone and not any(_same_number(n, v) for v in others)]
    if len(numbers) != len(taken) or not set(taken) <= set(numbers) or (at := _positions(numbers, request)) is None:
        return None
    marks = sorted([(p, "lead") for p in leads] + [(p, "number") for p in at])
    if any(a[1] == b[1] for a, b in zip(marks, marks[1:])):
        return None  # not one number beside each value
    ordered = [n for _, n in sorted(zip(at, numbers))]
    if isinstance(taken[0], int):
        return [int(n) for n in ordered] if all(float(n).is_integer() for n in ordered) else None  # an integer argument
    return ordered


def _same_number(n: float, value: Any) -> bool:
    """Whether number `n` is `value` or is written inside it (a string value: "7pm", "June 18")."""
    if _is_number(value):
        return float(value) == n
    return isinstance(value, str) and n in numbers_in(value)


def _positions(values: list[Any], request: str) -> list[int] | None:
    """Where `request` writes each of `values` (each different and written once), or None."""
    if any(not (_is_number(v) or (isinstance(v, str) and v.strip())) for v in values) or len({str(v).lower() for v in values}) < len(values):
        return None
    out = []
    text = _numeric(_plain(request))  # one text for numbers and words, so their positions compare
    for value in values:
        if _is_number(value):
            found = number_matches(value, text)
        else:
            found = list(re.finditer(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE))
        if len(found) != 1:
            return None
        out.append(found[0].start())
    return out
