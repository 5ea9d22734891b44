"""Validating a model's arguments against a pydantic model, with readable errors."""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from ._errors import ToolArgumentsError


def validate_arguments(model: type[BaseModel], arguments: Any, name: str) -> BaseModel:
    """Parse (dict or JSON text) and validate; `null` for an argument with a default means the default."""
    if isinstance(arguments, model):
        return arguments
    arguments = parse_arguments(arguments, name)
    unknown = sorted(set(arguments) - set(model.model_fields))
    if unknown:  # the schema is closed (additionalProperties: false) whatever the model's config says
        names = ", ".join(repr(k[:40]) for k in unknown[:5])
        raise ToolArgumentsError(f"{name}: unknown argument(s) {names}; expected: {', '.join(model.model_fields)}")
    try:
        return model.model_validate(drop_defaulted_nulls(model, arguments))
    except ValidationError as e:
        raise ToolArgumentsError(f"{name}: {readable(e)}") from None


def parse_arguments(arguments: Any, name: str) -> dict[str, Any]:
    """Arguments as a dict: from a dict, JSON text, a pydantic model or nothing; ToolArgumentsError otherwise."""
    if isinstance(arguments, BaseModel):
        arguments = arguments.model_dump(mode="json")
    if arguments is None or arguments == "":
        return {}
    if isinstance(arguments, str):
        try:
            arguments = json.loads(arguments)
        except json.JSONDecodeError as e:
            raise ToolArgumentsError(f"{name}: arguments are not valid JSON ({e.msg})") from None
    if not isinstance(arguments, dict):
        raise ToolArgumentsError(f"{name}: arguments must be a JSON object, not {type(arguments).__name__}")
    return dict(arguments)


def drop_defaulted_nulls(model: type[BaseModel], data: Any) -> Any:
    """Remove `null` values of fields that have a non-null default, in nested models too."""
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            out[key] = value
            continue
        if value is None and not field.is_required() and field.default is not None:
            continue
        out[key] = _descend(field.annotation, value)
    return out


def _descend(annotation: Any, value: Any) -> Any:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            if isinstance(value, dict):
                return drop_defaulted_nulls(candidate, value)
            if isinstance(value, list):
                return [drop_defaulted_nulls(candidate, v) for v in value]
        elif typing.get_args(candidate) and candidate is not annotation:
            result = _descend(candidate, value)
            if result is not value:
                return result
    return value


def readable(error: ValidationError) -> str:
    parts = []
    for e in error.errors(include_url=False):
        where = ".".join(str(x) for x in e["loc"]) or "arguments"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)
