"""Grounding a call's arguments in the user's words: numbers written in the request become the
allowed values of number arguments, and optional arguments the request does not state are left out
(null = the tool's default), so a small model cannot invent them. The decoded call is checked
against the request afterwards (`cleanup.py`)."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from functools import lru_cache
from typing import Any

from core.schema import allows_null, non_null, resolve

from .choices import choices_of, listed_choices, named_choice, states
from .evidence import identifier_words
from .spelled import digits

MAX_NUMBERS = 24


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
        shared = {v for other, p in props.items() if other != key for v in choices_of(p, schema)}  # "celsius to fahrenheit"
        value = named_choice(prop, schema, last, text, shared=shared) if isinstance(prop, dict) else None
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
        return len(number_matches(value, _numeric(plain)))
    if isinstance(value, str) and value.strip():
        return plain.lower().count(value.lower())
    return 0


def number_matches(value: float, numeric: str) -> list[re.Match[str]]:
    """Where `numeric` (a text as `_numeric` writes it) writes the number `value`, in any of its plain forms."""
    return list(re.finditer(rf"(?<![\d.])(?:{number_pattern(value)})(?![\d])", numeric))


def _admits(node: dict[str, Any], value: float) -> bool:
    """Whether a number schema's kind (integer) and bounds admit `value`."""
    if node.get("type") == "integer" and not value.is_integer():
        return False
    if "minimum" in node and value < node["minimum"] or "maximum" in node and value > node["maximum"]:
        return False
    return not ("exclusiveMinimum" in node and value <= node["exclusiveMinimum"]
                or "exclusiveMaximum" in node and value >= node["exclusiveMaximum"])

