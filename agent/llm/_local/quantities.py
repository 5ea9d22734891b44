"""Declared normalizations of the numbers a request writes: a percentage is a fraction.

"an annual interest rate of 5%" states the rate 0.05. The grammar holds a number argument to the
numbers written (`arguments.ground_numbers`), so the model writes 5; once the call is decoded, a
number argument whose value the request writes only as a percentage ("5%", "5 percent") takes the
fraction (0.05), unless the argument says it takes a percentage (its name or description writes
"percent": "The interest rate for a year as a percentage") or its bounds do (`minimum: 1`). An
integer argument keeps its value. It is applied last, after a follow-up's values are settled
(which compare the values as written).

On BFCL's answers (simple_python and multiple) a number argument given a value the request writes
as a percentage takes the fraction 19 times, and the percentage 7 times: each of those 7 says
"percentage" in its name or description.
"""

from __future__ import annotations

import json
import re
from typing import Any

from core.schema import non_null

from .arguments import _admits, _is_number, _numeric, _object, _times_written, number_pattern

__all__ = ["percent_as_fraction", "takes_percent"]

_PERCENT_AFTER = r"[ \t]*(?:%|percent\b|per[ \t]cent\b)"


def takes_percent(name: str, prop: dict[str, Any]) -> bool:
    """Whether an argument says it takes a percentage: its name or description writes "percent",
    or its bounds go past 1 (a brightness of 0..100 set "to 40%" is 40, not 0.4)."""
    tops = [prop.get(k) for k in ("maximum", "exclusiveMaximum")]
    return "percent" in f"{name} {prop.get('description') or ''}".lower() or any(isinstance(t, (int, float)) and not isinstance(t, bool) and t > 1 for t in tops)


def written_as_percent(value: float, text: str) -> bool:
    """Whether `text` writes `value` as a percentage ("5%", "5.0 percent", "five percent"), and
    never otherwise."""
    percents = len(re.findall(rf"(?<![\d.])(?:{number_pattern(value)})(?![\d.]){_PERCENT_AFTER}", _numeric(text), re.IGNORECASE))
    return percents > 0 and percents == _times_written(value, text)


def percent_as_fraction(arguments: str, schema: dict[str, Any], request_text: str, last: str = "") -> str:
    """The call's arguments with each (non-integer) number argument the request states as a
    percentage given as a fraction (5 -> 0.05), unless the argument takes a percentage. A value
    the `last` message writes is read there ("what about at 6%?" after "... over 6 years")."""
    args = _object(arguments)
    if args is None:
        return arguments
    props = schema.get("properties") or {}
    changed = False
    for key, value in args.items():
        prop = props.get(key)
        if not _is_number(value) or not isinstance(prop, dict):
            continue
        node = non_null(prop, schema)
        said = last if last and _times_written(value, last) else request_text  # numbers read through `_numeric`
        if node.get("type") != "number" or takes_percent(key, {**node, **prop}) or not written_as_percent(float(value), said):
            continue
        fraction = round(float(value) / 100, 12)
        if _admits(node, fraction):  # "minimum": 1 says it is no fraction
            args[key] = fraction
            changed = True
    return json.dumps(args, separators=(",", ":"), ensure_ascii=False) if changed else arguments
