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

import json
from typing import Any, TypeVar

from core.response_format import normalize_response_format, response_format_for, schema_of
from core.types import LLMRequest

from ._errors import LLMResponseError

__all__ = [
    "StructuredOutputError", "normalize_response_format", "response_format_for", "schema_of", "structured",
    "parse_structured",
]

T = TypeVar("T")


class StructuredOutputError(LLMResponseError):
    """The reply is not valid for the requested model (cut off by max_tokens, or invalid)."""


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
    response = await llm.complete(LLMRequest(list(messages), response_format=model, **request))
    return parse_structured(response.text, model, response.finish_reason)


def _short(e: Exception) -> str:
    text = str(e)
    if isinstance(e, json.JSONDecodeError):
        return f"invalid JSON ({e.msg})"
    return text if len(text) < 300 else text[:300] + "..."
