"""A value written once is one argument's value: a call that gives the same span to two arguments
("from NOK to NOK" for "50 EUR in NOK"), the same choice of one enum that the request names once
(units from "ounces" to "ounces" for "and in ounces?"), or the same number ("mass1=15, mass2=15" for "20 kg of
water ... mixed with 15 kg"; `amount=100, from_currency="100"` for "I have 100 euro"), is decoded again both ways, each argument in turn keeping the value
while the other cannot take it, and the model keeps the reading it finds likelier.

Nothing here knows a tool or a language: "the same value" is the same text, "written once" counts
its occurrences in the request, and the choice is the model's log-probability of each call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .arguments import _is_number, _object, _plain, _times_written, _value_key
from .engine import Runner
from .spans import NO_RULES, SpanRules, is_span, without_values
from .values import _as_text, _splittable

__all__ = ["doubled", "number_in_span", "one_value_one_argument", "one_word_one_argument", "overlapping", "without_number", "without_value"]


def doubled(arguments: dict[str, Any], schema: dict[str, Any], request: str, last: str = "") -> tuple[str, str, Any] | None:
    """(an argument that can take another value, another argument, value) of two arguments given
    the same value that the request writes fewer times than that (a title and a format both
    "audiobook"; two masses both 15 for "20 kg ... 15 kg"); None when there are none.

    A value the `last` message writes is counted there: "How much is 120 GBP in EUR?" writes EUR
    once, however many times the conversation before it did."""
    props = schema.get("properties") or {}
    values = [k for k, v in arguments.items() if (isinstance(v, str) and v.strip()) or _is_number(v)]
    plain, said = _plain(request), _plain(last)
    for i, a in enumerate(values):
        same = [b for b in values[i + 1:] if _same(arguments[b], arguments[a])]
        movable = [k for k in (a, *same) if _movable(props.get(k), arguments[k])]
        written = _times_written(arguments[a], said) or _times_written(arguments[a], plain)
        if same and not movable and all(_named_choice(props.get(k), arguments[k]) for k in (a, *same)):
            movable = [a, *same]  # one choice the request names once, given to two arguments of one enum
            written = _times_word(arguments[a].lower(), said.lower()) or _times_word(arguments[a].lower(), plain.lower()) or len(same) + 1
        if same and movable and written < 1 + len(same):
            return (a, same[0], arguments[a]) if a in movable else (same[0], a, arguments[a])
    return None


def overlapping(arguments: dict[str, Any], schema: dict[str, Any], request: str, last: str = "") -> tuple[str, str] | None:
    """Two span arguments whose values share a word the request writes once (title "Car service for
    Saturday at 8:30am" beside date "Saturday at 8:30am"), or None. On BFCL's answers two stated
    string values share such a word in 2 pairs of 379 ("Treaty of Lisbon" and "Lisbon")."""
    props = schema.get("properties") or {}
    spans = [k for k, v in arguments.items() if isinstance(v, str) and v.strip() and _movable(props.get(k), v)]
    said, plain = _plain(last).lower(), _plain(request).lower()
    for i, a in enumerate(spans):
        for b in spans[i + 1:]:
            shared = _words(arguments[a]) & _words(arguments[b])
            if any((_times_word(w, said) or _times_word(w, plain)) < 2 for w in shared):
                return a, b
    return None


def number_in_span(arguments: dict[str, Any], schema: dict[str, Any], request: str, last: str = "") -> tuple[str, Any] | None:
    """(a number argument, its value) when the request writes that number once, inside another
    argument's span value: "June 18" is the date's, so `duration_minutes=18` for "June 18 at 1pm,
    45 min" reads it twice. None when there is none. On BFCL's answers (simple_python, multiple)
    a number inside another value is written twice each time (2 of 2: "from 1 to 3 ... x^3")."""
    props = schema.get("properties") or {}
    spans = [_plain(v) for k, v in arguments.items() if isinstance(v, str) and v.strip() and is_span(props.get(k))]
    said, plain = _plain(last), _plain(request)
    for key, value in arguments.items():
        if _is_number(value) and (_times_written(value, said) or _times_written(value, plain)) == 1 \
                and any(_times_written(value, span) for span in spans):
            return key, value
    return None


def without_number(schema: dict[str, Any], key: str, value: Any) -> dict[str, Any] | None:
    """`schema` in which number argument `key` cannot take `value` (one of the request's numbers
    it is held to); an optional one no other number fits is left out (null in a strict schema).
    None when a required one has no other number."""
    props = schema.get("properties") or {}
    prop = props.get(key)
    if not isinstance(prop, dict):
        return None
    alternatives: list[Any] = prop["anyOf"] if isinstance(prop.get("anyOf"), list) else [prop]
    held = [a for a in alternatives if isinstance(a, dict) and isinstance(a.get("enum"), list)]
    if not held:
        return None
    rest = [v for v in held[0]["enum"] if not _same(v, value)]
    if rest:
        narrowed = {**held[0], "enum": rest}
        new = {**prop, "anyOf": [narrowed if a is held[0] else a for a in alternatives]} if "anyOf" in prop else narrowed
        return {**schema, "properties": {**props, key: new}}
    if any(isinstance(a, dict) and a.get("type") == "null" for a in alternatives):
        return {**schema, "properties": {**props, key: {"type": "null"}}}  # a strict schema's optional: null
    if key in (schema.get("required") or []):
        return None
    return {**schema, "properties": {k: v for k, v in props.items() if k != key}}


def _words(value: str) -> set[str]:
    return {w for w in (t.strip(_TRIM).lower() for t in value.split()) if w}


def _times_word(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w@.-]){re.escape(word)}(?![\w@-])", text))


_TRIM = "\"'`()[]{}<>,.;:!?"


def _movable(prop: Any, value: Any) -> bool:
    """Whether an argument of schema `prop` can be kept from `value` and take another: a span of
    the request for a string, another of the request's numbers for a number."""
    return isinstance(prop, dict) and _splittable(value, prop)


def _named_choice(prop: Any, value: Any) -> bool:
    """Whether `value` is one of two or more string choices of argument `prop` (an enum): "from
    grams to grams" for "and in grams?" gives one named choice to both units."""
    choices = prop.get("enum") if isinstance(prop, dict) else None  # top level: what `without_value` narrows
    return isinstance(value, str) and isinstance(choices, list) and len(choices) > 1 and value in choices


def one_value_one_argument(runner: Runner, decode: Callable[[dict[str, Any]], str], found: tuple[str, str, Any],
                           schema: dict[str, Any], request: str, fix: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
                           last: str = "", rules: SpanRules = NO_RULES) -> str | None:
    """For a call that gives one value written once to two arguments (`found`, from `doubled`), the
    likelier of the two readings with the value in one argument only; None when neither reading
    comes out whole and single. `decode(schema)` decodes an arguments object from the opener and
    returns its text; `fix(schema, fixed)` pins arguments to values. The context must end at the
    opener; it is left after a prefix of the readings (the caller feeds the one returned)."""
    first, second, value = found
    props = schema.get("properties") or {}
    here = runner.checkpoint()
    readings: list[str] = []
    for keep, other in ((first, second), (second, first)):
        words = {keep: value if isinstance(value, str) else _as_text(value)}
        pinned = fix(without_value(without_values(schema, words, request, rules), other, value), {keep: _typed(value, props.get(keep))})
        runner.restore(here)
        readings.append(decode(pinned))
    readings = [r for r in dict.fromkeys(readings) if (args := _object(r)) is not None and not doubled(args, schema, request, last)]
    return _likelier(runner, here, readings)


def one_word_one_argument(runner: Runner, decode: Callable[[dict[str, Any]], str], pair: tuple[str, str], arguments: dict[str, Any],
                          schema: dict[str, Any], request: str, fix: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]],
                          last: str = "", rules: SpanRules = NO_RULES) -> str | None:
    """For a call whose two span arguments' values share a word written once (`pair`, from
    `overlapping`), the likelier of two readings: each argument of the pair in turn is decoded
    again while every other argument keeps its value, and it cannot take their words. None when
    neither reading keeps the two apart. The context must end at the opener; it is left after a
    prefix of the readings (the caller feeds the one returned)."""
    here = runner.checkpoint()
    readings: list[str] = []
    for other in pair:
        kept = {k: v for k, v in arguments.items() if k != other and isinstance(v, (str, int, float))}  # lists decode again
        words = {k: v for k, v in kept.items() if isinstance(v, str)}
        runner.restore(here)
        try:
            readings.append(decode(fix(without_values(schema, words, request, rules), kept)))
        except ValueError:  # no grammar holds both (a kept value the schema no longer allows): no reading
            continue
    readings = [r for r in dict.fromkeys(readings) if (args := _object(r)) is not None
                and not doubled(args, schema, request, last) and overlapping({k: args.get(k) for k in pair}, schema, request, last) is None]
    return _likelier(runner, here, readings)


def _likelier(runner: Runner, here: tuple[int, Any], readings: list[str]) -> str | None:
    """The reading the model scores likelier from checkpoint `here` (the only one, or None)."""
    if len(readings) < 2:
        return readings[0] if readings else None
    runner.restore(here)
    scores = runner.score_options(readings)
    return readings[max(range(len(readings)), key=lambda k: scores[k][0])]


def without_value(schema: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """`schema` in which argument `key` cannot take `value` when it is one of several enum values
    (a string enum, or the request's numbers a number argument is held to); unchanged otherwise."""
    props = schema.get("properties") or {}
    prop = props.get(key)
    if not isinstance(prop, dict) or not isinstance(prop.get("enum"), list):
        return schema
    rest = [v for v in prop["enum"] if not _same(v, value)]
    if not rest or len(rest) == len(prop["enum"]):
        return schema
    return {**schema, "properties": {**props, key: {**prop, "enum": rest}}}


def _same(a: Any, b: Any) -> bool:
    """The same value: two numbers by value, two strings case-insensitively (`_value_key`), a
    number and a string that writes it ("100" and 100: "I have 100 euro" gives no currency "100")."""
    if not all(_is_number(v) or isinstance(v, str) for v in (a, b)):
        return False
    if _is_number(a) != _is_number(b):
        number, text = (a, b) if _is_number(a) else (b, a)
        return text.strip() == _as_text(number)
    return _value_key(a) == _value_key(b)


def _typed(value: Any, prop: Any) -> Any:
    """`value` as argument `prop` takes it: the text for a string (100 -> "100"), else the value."""
    node = prop if isinstance(prop, dict) else {}
    if _is_number(value) and (node.get("type") == "string" or "pattern" in node):
        return _as_text(value)
    return value

