"""JSON-schema walking in one place: `$ref` resolution, nullability, and OpenAI strict mode.

Strict mode wants every object closed (`additionalProperties: false`) and every property listed in
`required`; an argument with a default becomes nullable, and `null` means "use the default".
"""

from __future__ import annotations

import ast
import copy
import re
from typing import Any

_DROP = {"title", "default", "examples"}
_NAMED = {"properties", "$defs", "definitions", "patternProperties"}
"""Keywords whose value maps names (a property called "title" is kept) to schemas."""


def strict_schema(schema: dict[str, Any], *, bare_refs: bool = False) -> dict[str, Any]:
    """Return a strict-mode copy of a pydantic JSON schema (the input is not modified).

    `bare_refs`: a `$ref` keeps no sibling keywords (OpenAI's structured outputs reject them).
    """
    out = _strict(copy.deepcopy(schema))
    out.setdefault("type", "object")
    return _bare_refs(out) if bare_refs else out


def close_objects(node: Any, *, declared_only: bool = False) -> Any:
    """A copy where every object that does not say otherwise allows no properties beyond its own.

    `declared_only`: close only the objects that declare `properties` (a free-form `{"type": "object"}`
    stays free). That is how a non-strict schema is decoded: JSON Schema lets an object with
    `properties` and no `additionalProperties` take any other key, but no user means that.
    """
    if isinstance(node, list):
        return [close_objects(n, declared_only=declared_only) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: (close_objects(v, declared_only=declared_only) if k not in ("enum", "const", "default", "examples") else v)
           for k, v in node.items()}
    is_object = "properties" in out if declared_only else (out.get("type") == "object" or "properties" in out)
    if is_object and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


FREE_TEXT = "x-free-text"
"""A string argument marked `{"x-free-text": true}` is prose (a task, a question), not a name: the
local backend writes it freely instead of as a span of the conversation. Remote backends never see
the mark (`without_local_hints`)."""


def without_local_hints(node: Any) -> Any:
    """A copy without the `x-` keywords meant for the local backend (strict remote APIs reject them)."""
    if isinstance(node, list):
        return [without_local_hints(n) for n in node]
    if not isinstance(node, dict):
        return node
    return {k: (without_local_hints(v) if k not in ("enum", "const", "default", "examples") else v)
            for k, v in node.items() if not (isinstance(k, str) and k.startswith("x-"))}


def _bare_refs(node: Any) -> Any:
    if isinstance(node, list):
        return [_bare_refs(n) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"]}
    return {k: _bare_refs(v) if k not in ("enum", "const") else v for k, v in node.items()}


def _named(mapping: Any) -> Any:
    return {name: _strict(sub) for name, sub in mapping.items()} if isinstance(mapping, dict) else _strict(mapping)


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(n) for n in node]
    if not isinstance(node, dict):
        return node
    default = node.get("default", _MISSING)
    node = {k: _named(v) if k in _NAMED else _strict(v) if k not in ("enum", "const") else v
            for k, v in node.items() if k not in _DROP}
    if default is not _MISSING and default is not None and "description" in node:
        node["description"] = f"{node['description']}{_DEFAULT_NOTE.format(default)}"
    if node.get("type") == "object" or "properties" in node:
        props = node.setdefault("properties", {})
        required = set(node.get("required", []))
        for name, prop in props.items():
            if name not in required:
                props[name] = nullable(prop)
        node["required"] = list(props)
        node["additionalProperties"] = False
        node["type"] = "object"
    return node


_DEFAULT_NOTE = " (default: {!r})"
_NOTED_DEFAULT = re.compile(r" \(default: (.+)\)$")


def stated_default(prop: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """An argument's default: its schema's `default`, or the one strict mode noted in its
    description ("... (default: 'any')"); None when it has none."""
    node = non_null(prop, root)
    for where in (prop, node):
        if "default" in where:
            return where["default"]
    for where in (prop, node):
        if m := _NOTED_DEFAULT.search(str(where.get("description") or "")):
            try:
                return ast.literal_eval(m.group(1))
            except (ValueError, SyntaxError):
                return None
    return None


def nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """Allow `null` for a property schema, unless it already does."""
    if allows_null(prop):
        return prop
    t = prop.get("type")
    if isinstance(t, str) and "$ref" not in prop and "anyOf" not in prop and "enum" not in prop:
        return {**prop, "type": [t, "null"]}
    description = prop.get("description")
    inner = {k: v for k, v in prop.items() if k != "description"}
    out: dict[str, Any] = {"anyOf": [inner, {"type": "null"}]}
    if description:
        out["description"] = description
    return out


def resolve(node: dict[str, Any], root: dict[str, Any] | None = None) -> dict[str, Any]:
    """Follow a local `$ref` (`#/$defs/X`, `#/definitions/X`) within `root`; other nodes as they are."""
    seen = 0
    while root is not None and isinstance(node, dict) and "$ref" in node and seen < 20:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            break
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **extra}
        seen += 1
    return node


def allows_null(prop: dict[str, Any], root: dict[str, Any] | None = None) -> bool:
    """Whether `null` is a valid value of `prop` (a type list, a null alternative in anyOf/oneOf)."""
    prop = resolve(prop, root)
    t = prop.get("type")
    if t == "null" or (isinstance(t, list) and "null" in t):
        return True
    return any(allows_null(a, root) for a in prop.get("anyOf", []) + prop.get("oneOf", []) if isinstance(a, dict))


def non_null(prop: dict[str, Any], root: dict[str, Any] | None = None) -> dict[str, Any]:
    """`prop` without its `null` alternative (the schema of a value that is present)."""
    prop = resolve(prop, root)
    t = prop.get("type")
    if isinstance(t, list):
        rest = [x for x in t if x != "null"]
        return {**prop, "type": rest[0] if len(rest) == 1 else rest}
    for key in ("anyOf", "oneOf"):
        alts = [a for a in prop.get(key, []) if isinstance(a, dict) and resolve(a, root).get("type") != "null"]
        if prop.get(key) and len(alts) == 1:
            return non_null(alts[0], root)
    return prop


def check_strict(schema: dict[str, Any], path: str = "$") -> list[str]:
    """List every violation of the strict-mode rules in `schema` (empty list: valid)."""
    problems: list[str] = []
    if not isinstance(schema, dict):
        return problems
    if schema.get("type") == "object" or "properties" in schema:
        if schema.get("additionalProperties") is not False:
            problems.append(f"{path}: additionalProperties must be false")
        props = schema.get("properties", {})
        missing = set(props) - set(schema.get("required", []))
        if missing:
            problems.append(f"{path}: properties not in required: {sorted(missing)}")
        for name, prop in props.items():
            problems += check_strict(prop, f"{path}.{name}")
    for key in ("anyOf", "oneOf", "allOf"):
        for i, alt in enumerate(schema.get(key, [])):
            problems += check_strict(alt, f"{path}.{key}[{i}]")
    if isinstance(schema.get("items"), dict):
        problems += check_strict(schema["items"], f"{path}[]")
    for name, sub in schema.get("$defs", {}).items():
        problems += check_strict(sub, f"$defs.{name}")
    return problems


class _Missing:
    pass


_MISSING = _Missing()
