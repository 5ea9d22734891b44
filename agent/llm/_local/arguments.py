"""Grounding a call's arguments in the user's words: numbers written in the request become the
allowed values of number arguments, and optional arguments the request does not state are left out
(null = the tool's default), so a small model cannot invent them."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from core.schema import allows_null, non_null, resolve

from .choices import listed_choices, named_choice, states
from .evidence import identifier_words
from .spelled import digits

MAX_NUMBERS = 24


_PUNCT = re.compile(r"[,.*^'\"()]")
_JOINERS = re.compile(r"[\-_/]")


def _norm(text: str) -> str:
    """`text` lower case, without punctuation, its words one space apart ("New-York" -> "new york"):
    a value joining the request's words ("ChildrenOfDune") is not what the request writes."""
    return " ".join(_PUNCT.sub("", _JOINERS.sub(" ", text.lower())).split())


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


def _plain(text: str) -> str:
    """`text` without thousands separators ("20,000" -> "20000")."""
    return _THOUSANDS.sub("", text)


@lru_cache(maxsize=64)
def _numeric(text: str) -> str:
    """`text` as its numbers read: numbers in words or scaled written as digits ("two nights" ->
    "2 nights", `spelled.digits`); thousands separators removed. For numbers only: a string
    value is found in the text as written (`_plain`)."""
    return digits(_plain(text))


def _object(arguments: str) -> dict[str, Any] | None:
    """The arguments' JSON object, or None when they are not one."""
    try:
        args = json.loads(arguments)
    except ValueError:
        return None
    return args if isinstance(args, dict) else None


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


_NUMBER = re.compile(r"(?<![\w.])(?<!\w-)-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\d])")


def numbers_in(text: str) -> list[float]:
    """The numbers written in `text` (thousands separators removed), in order, without repeats."""
    plain = _numeric(text)
    out: list[float] = []
    for m in _NUMBER.finditer(plain):
        v = float(m.group())
        if v not in out:
            out.append(v)
    return out[:MAX_NUMBERS]


def ground_numbers(schema: dict[str, Any], numbers: list[float], text: str = "", last: str = "",
                   grounded: Collection[str] = ()) -> dict[str, Any]:
    """The argument schema grounded in the request's own words, for one request.

    - Required number arguments (top level, or list items) may only take numbers written in the
      request: a small model invents numbers (100, 1234567890, endless zeros); the request's own
      are almost always the right ones. An argument keeps its schema when no number fits it.
    - A required string enum may only take the values the request names (when it names some).
    - A string choice (an enum, or the values a free string's description quotes) of which the
      request names exactly one value is written, with it (the one the last message, `last`,
      names, when the conversation names several): `choices.named_choice`.
    - An optional flag the request names (`names_flag`) is written, true. On BFCL's answers
      (simple_python, multiple) a named optional flag is true 29 times, false once, either 5 times.
    - A list of choices (its items a string enum) the request names values of holds those values,
      each once, in the order written, and nothing else (`choices.listed_choices`); an optional one
      is then written. A grounded argument (`grounded`: a grounder's canonical values) keeps its
      grounding.
    - A required list holds at least one item.
    - An optional number argument takes one of the request's numbers, or is left out when the
      request writes none.
    """
    props = schema.get("properties") or {}
    if not (numbers or text) or not props:
        return schema
    required = set(schema.get("required") or [])
    out = dict(schema)
    new_props: dict[str, Any] = {}
    stated_optionals = []
    listed = listed_choices(schema, last, text, grounded)
    for key, prop in props.items():
        if key in listed:
            about = {"description": prop["description"]} if prop.get("description") else {}
            items = resolve(non_null(prop, schema).get("items") or {}, schema)  # its choices, for other arguments' spans
            new_props[key] = {"type": "array", "items": items, "enum": [listed[key]], **about}
            stated_optionals.append(key)
            continue
        if not numbers and _number_schema(prop, schema) and (key not in required or allows_null(prop, schema)):
            # an optional number nothing states is left out, or null in a strict schema (a small model
            # otherwise writes digits to the cap)
            if key in required:
                new_props[key] = {"type": "null"}
            continue
        # only required arguments: an optional one may be left out (or invented, then dropped)
        fixed = key in required and isinstance(prop, dict) and not allows_null(prop, schema)
        new_props[key] = _ground_number_prop(prop, numbers, schema, text) if fixed else _optional_number(prop, numbers, schema)
        if fixed and new_props[key].get("type") == "array" and "minItems" not in new_props[key]:
            new_props[key] = {**new_props[key], "minItems": 1}  # a list the call needs holds something ([] is a small model's shortcut)
        value = named_choice(prop, schema, last, text) if isinstance(prop, dict) else None
        about = {"description": prop["description"]} if isinstance(prop, dict) and prop.get("description") else {}
        if value is not None:  # a choice the request names (`choices.named_choice`): that value, written
            new_props[key] = {"type": "string", "enum": [value], **about}
            stated_optionals.append(key)
        elif not fixed and isinstance(prop, dict) and non_null(prop, schema).get("type") == "boolean" and names_flag(key, last or text):
            new_props[key] = {"type": "boolean", "enum": [True], **about}  # an optional flag the request names: on
            stated_optionals.append(key)
    out["properties"] = new_props
    if stated_optionals:
        out["required"] = [*(schema.get("required") or []), *(k for k in stated_optionals if k not in required)]
    return out


def names_flag(name: str, text: str) -> bool:
    """Whether `text` names the flag argument `name`: a word of the name (3+ letters) is a word of
    the text, compared on their first `FLAG_PREFIX` letters ("including human impact" names
    `include_human_impact`, "toll roads avoided" `avoid_tolls`)."""
    mine = {w[:FLAG_PREFIX] for w in identifier_words(name) if len(w) >= 3}
    return bool(mine & {w.lower()[:FLAG_PREFIX] for w in re.findall(r"[^\W\d_]+", text)})


FLAG_PREFIX = 5
"""Words meet on this many first letters ("avoid"/"avoided", "inclu"/"including"), as the routing evidence's do."""


def _number_schema(prop: Any, root: dict[str, Any]) -> bool:
    if not isinstance(prop, dict):
        return False
    node = non_null(prop, root)
    return node.get("type") in ("integer", "number") and "enum" not in node and "const" not in node


def _optional_number(prop: Any, numbers: list[float], root: dict[str, Any]) -> Any:
    """An optional number argument: one of the numbers the request writes, or null / left out
    (the tool's default) -- never a number from nowhere (a description's example, a guess)."""
    if not isinstance(prop, dict) or not numbers:
        return prop
    node = non_null(prop, root)
    if node.get("type") not in ("integer", "number") or "enum" in node or "const" in node:
        return prop
    grounded = _ground_number_prop(node, numbers, root)
    if grounded is node or "enum" not in grounded:
        return prop
    return {"anyOf": [grounded, {"type": "null"}], **({"description": prop["description"]} if prop.get("description") else {})} \
        if allows_null(prop, root) else grounded


def _ground_number_prop(prop: dict[str, Any], numbers: list[float], root: dict[str, Any], text: str = "") -> dict[str, Any]:
    if "anyOf" in prop:
        alts = [_ground_number_prop(a, numbers, root, text) if isinstance(a, dict) else a for a in prop["anyOf"]]
        return {**prop, "anyOf": alts}
    node = resolve(prop, root)
    t = node.get("type")
    if t == "array" and isinstance(node.get("items"), dict):
        items = _ground_number_prop(node["items"], numbers, root, text)
        return prop if items is node["items"] else {**node, "items": items}
    if t == "string" and isinstance(node.get("enum"), list) and text:
        # a string enum: the values the request names, when it names any (grounding by copy)
        stated = [v for v in node["enum"] if isinstance(v, str) and states(text, v)]
        if not stated or len(stated) == len(node["enum"]):
            return prop
        return {**node, "enum": stated}
    if t not in ("integer", "number") or "enum" in node or "const" in node:
        return prop
    allowed = [int(v) if v.is_integer() else v for v in numbers if _admits(node, v)]
    if not allowed:
        return prop
    new = {"type": t, "enum": allowed}
    if node.get("description"):
        new["description"] = node["description"]
    return new


def _fixed(prop: dict[str, Any], root: dict[str, Any]) -> bool:
    """A property with a const value (in any of its alternatives): nothing to decide."""
    node = resolve(prop, root) if prop else {}
    if "const" in node:
        return True
    return any(isinstance(a, dict) and _fixed(a, root) for a in node.get("anyOf", []) + node.get("oneOf", []))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value_key(value: Any) -> Any:
    """A value as the request's values compare: a number by value, a string in any case."""
    if _is_number(value):
        return float(value)
    return value.lower() if isinstance(value, str) else value


def _number_key(value: Any) -> Any:
    return float(value) if _is_number(value) else value


def _number_forms(value: float) -> set[str]:
    forms = {repr(value), str(value)}
    if float(value).is_integer():
        forms.add(str(int(value)))
    return forms


def number_pattern(value: float) -> str:
    """A regex of the plain forms of `value`, a decimal also with trailing zeros ("1.8883340")."""
    forms = sorted(_number_forms(value), key=len, reverse=True)
    return "|".join(re.escape(f) + ("0*" if "." in f and "e" not in f.lower() else "") for f in forms)


def _times_written(value: Any, plain: str) -> int:
    """How many times the request (thousands separators removed) writes `value`: a number in any of
    its plain forms, a string case-insensitively."""
    if _is_number(value):  # numbers in words too ("two nights"), decimals with trailing zeros ("1.8883340")
        return len(re.findall(rf"(?<![\d.])(?:{number_pattern(value)})(?![\d])", _numeric(plain)))
    if isinstance(value, str) and value.strip():
        return plain.lower().count(value.lower())
    return 0


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


def drop_unsupported_optionals(arguments: str, schema: dict[str, Any], request_text: str) -> str:
    """Leave out (or set to null, the default, when the schema is strict) the optional top-level
    arguments whose value the request does not state.

    A small model fills every optional argument it is offered, usually with an invented value;
    the tool's default is the better guess. Required arguments are never touched.
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


def _admits(node: dict[str, Any], value: float) -> bool:
    """Whether a number schema's kind (integer) and bounds admit `value`."""
    if node.get("type") == "integer" and not value.is_integer():
        return False
    if "minimum" in node and value < node["minimum"] or "maximum" in node and value > node["maximum"]:
        return False
    return not ("exclusiveMinimum" in node and value <= node["exclusiveMinimum"]
                or "exclusiveMaximum" in node and value >= node["exclusiveMaximum"])


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
