"""A value written once is one argument's value: a call that gives the same span to two arguments
("from NOK to NOK" for "50 EUR in NOK") is decoded again both ways, each argument in turn keeping
the value while the other cannot take its words, and the model keeps the reading it finds likelier.

Nothing here knows a tool or a language: "the same value" is the same text, "written once" counts
its occurrences in the request, and the choice is the model's log-probability of each call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .arguments import _object, _plain, _times_written
from .engine import Runner
from .spans import without_values

__all__ = ["doubled", "one_value_one_argument"]


def doubled(arguments: dict[str, Any], schema: dict[str, Any], request: str) -> tuple[str, str, str] | None:
    """(a span-constrained argument, another argument, value) of two arguments given the same value
    that the request writes fewer times than that (a title and a format both "audiobook"); None
    when there are none."""
    props = schema.get("properties") or {}
    strings = [k for k, v in arguments.items() if isinstance(v, str) and v.strip()]
    plain = _plain(request)
    for i, a in enumerate(strings):
        same = [b for b in strings[i + 1:] if arguments[b].lower() == arguments[a].lower()]
        spans = [k for k in (a, *same) if "pattern" in (props.get(k) or {})]
        if same and spans and _times_written(arguments[a], plain) < 1 + len(same):
            return (a, same[0], arguments[a]) if a in spans else (same[0], a, arguments[a])
    return None


def one_value_one_argument(runner: Runner, decode: Callable[[dict[str, Any]], str], found: tuple[str, str, str],
                           schema: dict[str, Any], request: str, fix: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]) -> str | None:
    """For a call that gives one value written once to two arguments (`found`, from `doubled`), the
    likelier of the two readings with the value in one argument only; None when neither reading
    comes out whole and single. `decode(schema)` decodes an arguments object from the opener and
    returns its text; `fix(schema, fixed)` pins arguments to values. The context must end at the
    opener; it is left after a prefix of the readings (the caller feeds the one returned)."""
    first, second, value = found
    here = runner.checkpoint()
    readings: list[str] = []
    for keep, other in ((first, second), (second, first)):
        pinned = fix(_without_choice(without_values(schema, {keep: value}, request), other, value), {keep: value})
        runner.restore(here)
        readings.append(decode(pinned))
    readings = [r for r in dict.fromkeys(readings) if (args := _object(r)) is not None and not doubled(args, schema, request)]
    if len(readings) < 2:
        return readings[0] if readings else None
    runner.restore(here)
    scores = runner.score_options(readings)
    return readings[max(range(len(readings)), key=lambda k: scores[k][0])]


def _without_choice(schema: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    """`schema` in which an enum argument `key` cannot take `value` (when it has other values)."""
    props = schema.get("properties") or {}
    prop = props.get(key)
    if not isinstance(prop, dict) or not isinstance(prop.get("enum"), list):
        return schema
    rest = [v for v in prop["enum"] if not (isinstance(v, str) and v.lower() == value.lower())]
    if not rest or len(rest) == len(prop["enum"]):
        return schema
    return {**schema, "properties": {**props, key: {**prop, "enum": rest}}}
