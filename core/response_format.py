"""OpenAI's `response_format` shapes: what a caller may pass, checked and normalized in one place.

`{"type": "text" | "json_object" | "json_schema", "json_schema": {"name", "schema", "strict"}}`, or
a pydantic model class (stored as its strict json_schema). Used by `LLMRequest`, the server's wire
format and every backend.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .schema import strict_schema

__all__ = ["normalize_response_format", "response_format_for", "schema_of"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def response_format_for(model: Any, *, name: str | None = None, strict: bool = True) -> dict[str, Any]:
    """OpenAI's json_schema response_format for a pydantic model class (or a plain JSON schema dict)."""
    if isinstance(model, dict):
        schema, default_name = copy.deepcopy(model), model.get("title") or "response"
    elif isinstance(model, type) and hasattr(model, "model_json_schema"):
        schema, default_name = model.model_json_schema(), model.__name__
    else:
        raise TypeError(f"response_format_for needs a pydantic model class or a JSON schema dict, not {type(model).__name__}")
    if strict:
        schema = strict_schema(schema, bare_refs=True)
    return {"type": "json_schema", "json_schema": {"name": _safe_name(name or str(default_name)), "schema": schema, "strict": strict}}


def normalize_response_format(value: Any) -> dict[str, Any] | None:
    """OpenAI's response_format shape from what a caller passed; ValueError naming the bad part."""
    if value is None:
        return None
    if isinstance(value, type) and hasattr(value, "model_json_schema"):
        return response_format_for(value)
    if not isinstance(value, dict):
        raise ValueError("response_format must be a dict like {\"type\": \"json_schema\", ...} or a pydantic model class")
    kind = value.get("type")
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "json_object"}
    if kind != "json_schema":
        raise ValueError(f"response_format.type must be 'text', 'json_object' or 'json_schema' (got {kind!r})")
    spec = value.get("json_schema")
    if not isinstance(spec, dict):
        raise ValueError("response_format.json_schema must be an object with 'name' and 'schema'")
    name = spec.get("name", "response")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError("response_format.json_schema.name must be 1-64 letters, digits, '_' or '-'")
    schema = spec.get("schema", {})
    if not isinstance(schema, dict):
        raise ValueError("response_format.json_schema.schema must be a JSON schema object")
    strict = spec.get("strict", False)
    if not isinstance(strict, bool) and strict is not None:
        raise ValueError("response_format.json_schema.strict must be true or false")
    out: dict[str, Any] = {"name": name, "schema": schema, "strict": bool(strict)}
    if isinstance(spec.get("description"), str):
        out["description"] = spec["description"]
    return {"type": "json_schema", "json_schema": out}


def schema_of(response_format: dict[str, Any] | None) -> tuple[dict[str, Any], bool] | None:
    """(the JSON schema to enforce, strict) for a normalized response_format; None for free text."""
    if not response_format:
        return None
    if response_format["type"] == "json_object":
        return {"type": "object"}, False
    spec = response_format["json_schema"]
    return spec.get("schema") or {}, bool(spec.get("strict"))


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64]
    return cleaned or "response"
