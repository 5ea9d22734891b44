"""Structured outputs: ask any backend for JSON matching a schema, or for a pydantic model.

    answer = await structured(llm, [Message.user("...")], Quote)      # -> a Quote instance
    LLMRequest(messages, response_format=Quote)                        # the same, by hand
    LLMRequest(messages, response_format={"type": "json_object"})      # any JSON object

`response_format` takes OpenAI's shapes (`{"type": "text" | "json_object" | "json_schema",
"json_schema": {"name", "schema", "strict"}}`) or a pydantic model class, stored as its strict
json_schema. The local backend decodes under a grammar of the schema (the reply always parses;
`strict` also closes objects and rejects keywords it cannot enforce); OpenAI gets it as
`response_format` (their structured outputs).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, TypeVar

from ._errors import LLMResponseError

__all__ = [
    "StructuredOutputError", "normalize_response_format", "response_format_for", "schema_of", "strict_schema",
    "structured", "parse_structured",
]

T = TypeVar("T")
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StructuredOutputError(LLMResponseError):
    """The reply is not valid for the requested model (cut off by max_tokens, or invalid)."""


def response_format_for(model: Any, *, name: str | None = None, strict: bool = True) -> dict[str, Any]:
    """OpenAI's json_schema response_format for a pydantic model class (or a plain JSON schema dict)."""
    if isinstance(model, dict):
        schema, default_name = copy.deepcopy(model), model.get("title") or "response"
    elif isinstance(model, type) and hasattr(model, "model_json_schema"):
        schema, default_name = model.model_json_schema(), model.__name__
    else:
        raise TypeError(f"response_format_for needs a pydantic model class or a JSON schema dict, not {type(model).__name__}")
    if strict:
        schema = strict_schema(schema)
    return {"type": "json_schema", "json_schema": {"name": _safe_name(name or str(default_name)), "schema": schema, "strict": strict}}


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy where every object lists all its properties as required and allows no others
    (what OpenAI's strict mode demands; optional pydantic fields stay nullable)."""
    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {k: (walk(v) if k not in ("enum", "const", "default", "examples") else v) for k, v in node.items()}
        if out.get("type") == "object" or "properties" in out:
            props = out.get("properties") or {}
            out["required"] = list(props)
            out.setdefault("additionalProperties", False)
        if "$ref" in out and len(out) > 1:  # OpenAI rejects siblings of $ref
            out = {"$ref": out["$ref"]}
        out.pop("default", None)
        return out

    return walk(copy.deepcopy(schema))


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


def parse_structured(text: str, model: type[T], finish_reason: str = "stop") -> T:
    """`text` validated as `model` (a pydantic model class); StructuredOutputError if it is not."""
    if finish_reason == "length":
        raise StructuredOutputError(f"the {model.__name__} reply was cut off by max_tokens: raise max_tokens")
    try:
        return model.model_validate_json(text)  # type: ignore[attr-defined]
    except Exception as e:  # noqa: BLE001 - pydantic.ValidationError or a JSON error
        raise StructuredOutputError(f"the reply is not a valid {model.__name__}: {_short(e)}") from None


async def structured(llm: Any, messages: list[Any], model: type[T], **request: Any) -> T:
    """Ask `llm` (any backend) for one `model` instance: `await structured(llm, msgs, Quote)`.

    Extra keyword arguments go to `LLMRequest` (temperature, max_tokens, seed, ...).
    """
    from ._types import LLMRequest

    response = await llm.complete(LLMRequest(list(messages), response_format=model, **request))
    return parse_structured(response.text, model, response.finish_reason)


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64]
    return cleaned or "response"


def _short(e: Exception) -> str:
    text = str(e)
    if isinstance(e, json.JSONDecodeError):
        return f"invalid JSON ({e.msg})"
    return text if len(text) < 300 else text[:300] + "..."
