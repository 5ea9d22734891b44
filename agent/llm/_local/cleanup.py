"""A decoded call checked against what the request writes: a list looping on a value is cut, an
optional argument the request does not state, or whose value names another argument's choice, is
left out (the tool's default), the one number no argument took goes to the one optional number
argument left out, and a follow-up keeps the earlier call's values it does not restate. The
schema was grounded before decoding (`arguments.py`)."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from core.schema import allows_null, non_null, resolve

from .arguments import _NUMBER, _admits, _fixed, _is_number, _number_key, _object, _plain, _times_written, numbers_in
from .choices import states
from .spans import others_choice_words

__all__ = ["drop_unsupported_optionals", "fill_unused_number", "inherit_arguments", "trim_repeated_items"]

_PUNCT = re.compile(r"[,.*^'\"()]")
_JOINERS = re.compile(r"[\-_/]")


def _norm(text: str) -> str:
    """`text` lower case, without punctuation, its words one space apart ("New-York" -> "new york"):
    a value joining the request's words ("ChildrenOfDune") is not what the request writes."""
    return " ".join(_PUNCT.sub("", _JOINERS.sub(" ", text.lower())).split())


def _supported(value: Any, text: str, plain: str) -> bool:
    """Whether the request states `value`: a string or number found in it, a true flag, every item of a list."""
    if value is None or value is False:
        return False
    if value is True or isinstance(value, dict):
        return True
    if isinstance(value, (int, float)):
        return _times_written(value, plain) > 0
    if isinstance(value, str):
        v = _norm(value)
        return bool(v) and v in text
    if isinstance(value, list):
        return bool(value) and all(_supported(v, text, plain) for v in value)
    return True


def _values_taken(values: list[Any]) -> Counter:
    """What the given argument values take of the request: each number (also the numbers written
    inside a string value) and each string (lower case), counted, and so the items of a list
    ("points (3,4) and (1,2)": pointB=[1, 2] takes the 1 no `rounding` can have as well)."""
    taken: Counter = Counter()
    for v in values:
        if _is_number(v):
            taken[float(v)] += 1
        elif isinstance(v, str):
            taken[v.lower()] += 1
            taken.update(float(m.group()) for m in _NUMBER.finditer(v))
        elif isinstance(v, list):
            taken.update(_values_taken(v))
    return taken


def _uses(value: Any, taken: Counter) -> int:
    if _is_number(value):
        return taken[float(value)]
    if isinstance(value, str):
        try:
            as_number = taken[float(value)]
        except ValueError:
            as_number = 0
        return taken[value.lower()] + as_number
    return 0


def trim_repeated_items(arguments: str, request_text: str) -> str:
    """Cut each top-level list argument where it starts writing a value the request writes more
    times than that: a small model loops on the last item up to the length cap
    ([85, 90, 91, 91, 91, ...] for "85, 90 and 91"). Values the request never writes are left alone."""
    args = _object(arguments)
    if args is None:
        return arguments
    plain = _plain(request_text)
    changed = False
    for key, value in args.items():
        if not isinstance(value, list) or not all(_is_number(v) or isinstance(v, str) for v in value):
            continue
        seen: Counter = Counter()
        for i, item in enumerate(value):
            seen[_number_key(item)] += 1
            written = _times_written(item, plain)
            if written and seen[_number_key(item)] > written:
                args[key] = value[:i]
                changed = True
                break
    return json.dumps(args, separators=(",", ":"), ensure_ascii=False) if changed else arguments


def drop_unsupported_optionals(arguments: str, schema: dict[str, Any], request_text: str, declared: dict[str, Any] | None = None) -> str:
    """Leave out (or set to null, the default, when the schema is strict) the optional top-level
    arguments whose value the request does not state.

    A small model fills every optional argument it is offered, usually with an invented value;
    the tool's default is the better guess. Required arguments are never touched. `declared`:
    the schema whose choices another argument's value may not name (`schema` when not given; a
    call pinned to one choice still has the others).
    """
    args = _object(arguments)
    if args is None:
        return arguments
    required = set(schema.get("required") or [])
    props = schema.get("properties") or {}
    text = _norm(request_text)
    plain = _plain(request_text)
    kept: dict[str, Any] = {}
    changed = False
    # a value written once is one argument's value: an optional argument repeating what a required
    # one took ("sides 4 and 5": x=4, y=5, and z=4; "the function 2x - 1": no x_value=1) has it from nowhere
    used = _values_taken([v for k, v in args.items() if k in required])
    for key, value in args.items():
        prop: dict[str, Any] = props.get(key) or {} if isinstance(props.get(key), dict) else {}
        scalar = _is_number(value) or isinstance(value, str)
        spare = key in required or not scalar or _times_written(value, plain) > _uses(value, used)
        optional = key not in required or (prop and allows_null(prop, schema))
        if isinstance(value, str) and optional and not _fixed(prop, schema) and _theirs(value, (declared or schema).get("properties") or props, declared or schema, key):
            changed = True  # "Thai" is the cuisine's, not an optional ingredient's ("find Thai and Italian recipes")
            if key in required:
                kept[key] = None  # strict schema: null = the default
            continue
        if value is None or _fixed(prop, schema) or (spare and _supported(value, text, plain)):
            kept[key] = value
        elif key not in required:  # optional: left out
            changed = True
        elif prop and allows_null(prop, schema):  # strict schema: null = the default
            kept[key] = None
            changed = True
        else:
            kept[key] = value
    if not changed:
        return arguments
    return json.dumps(kept, separators=(",", ":"), ensure_ascii=False)


def _theirs(value: str, props: dict[str, Any], schema: dict[str, Any], key: str) -> bool:
    """Whether `value` is made only of words of other arguments' enum choices (none of `key`'s
    own; a description's quoted examples are no choices here): a required span cannot be
    (`spans`); on BFCL's answers no stated string is (0 of 735)."""
    words = {w for w in re.split(r"[\s_]+", value.lower()) if w}
    if not words or key not in props:
        return False
    enums = {k: p for k, p in props.items() if k == key or isinstance(non_null(p, schema).get("enum"), list)}
    return words <= others_choice_words(enums, schema, key)


def fill_unused_number(arguments: str, schema: dict[str, Any], request_text: str) -> str:
    """Give the one number the request writes that no argument took to the one optional number
    argument the call left out, when there is exactly one of each ("absolute pressure given 1 atm
    and a gauge pressure of 2 atm": gauge_pressure=2, and atm_pressure=1): every number a request
    writes is some argument's value. Anything less clear is left as it is."""
    args = _object(arguments)
    if args is None:
        return arguments
    plain = _plain(request_text)
    taken = _values_taken(list(args.values()))
    unused = [v for v in numbers_in(request_text) if _times_written(v, plain) > taken[float(v)]]
    if len(unused) != 1:
        return arguments
    value = unused[0]
    props = schema.get("properties") or {}
    open_ = [k for k, p in props.items() if args.get(k) is None and isinstance(p, dict) and _takes_number(p, schema, value)]
    if len(open_) != 1:
        return arguments
    args[open_[0]] = int(value) if value.is_integer() else value
    return json.dumps(args, separators=(",", ":"), ensure_ascii=False)


def _takes_number(prop: dict[str, Any], root: dict[str, Any], value: float) -> bool:
    """Whether an argument schema (optional: null allowed, or left out) accepts the number `value`."""
    for node in [non_null(prop, root), *(resolve(a, root) for a in prop.get("anyOf", []) if isinstance(a, dict))]:
        if node.get("type") not in ("integer", "number") or "const" in node or not _admits(node, value):
            continue
        if "enum" in node and not any(_is_number(e) and float(e) == value for e in node["enum"]):
            continue
        return True
    return False


def inherit_arguments(arguments: str, earlier: dict[str, Any] | None, request: str) -> str:
    """A follow-up's call of a function called the turn before: each argument the earlier call had
    keeps its earlier value unless the new request (the last user message) states the new one
    ("same for Florence": the city changes, the 3 nights stay; "make it 5 nights": the reverse)."""
    args = _object(arguments)
    if args is None or not earlier:
        return arguments
    text, plain = _norm(request), _plain(request)
    merged = dict(args)
    for key, value in earlier.items():
        new = args.get(key)
        if key not in args or not (_supported(new, text, plain) or isinstance(new, str) and states(request, new)):
            merged[key] = value
    if merged == args:
        return arguments
    return json.dumps(merged, separators=(",", ":"), ensure_ascii=False)
