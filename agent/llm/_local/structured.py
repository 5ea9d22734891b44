"""Structured replies for the local model: the text turn decoded under a grammar of the
response_format's JSON schema (llguidance, or llama.cpp GBNF with `engine="gbnf"`).

`strict` schemas are compiled with llguidance's lenient mode off (a keyword it cannot enforce is
an error naming it) and with objects closed unless they say otherwise; non-strict schemas are
enforced as far as the grammar engine can (unknown keywords ignored).
"""

from __future__ import annotations

import json
from typing import Any

from core.response_format import schema_of
from core.schema import close_objects

from . import grammar as G
from .constraints import Constraint, GBNFConstraint, LLGuidanceConstraint
from .engine import Runner

__all__ = ["structured_turn", "compile_response_format", "schema_hint", "SchemaError"]

HINT = "Reply with JSON only, no other text: one JSON value matching this JSON schema:\n{schema}"
OBJECT_HINT = "Reply with JSON only, no other text: one JSON object."

_matchers = G.MatcherCache(256)


class SchemaError(ValueError):
    """The response_format's schema cannot be compiled into a grammar (the message says where)."""


def prepared_schema(schema: dict[str, Any], strict: bool) -> dict[str, Any]:
    """The schema as decoded: arrays capped (a tiny model cannot loop forever), objects closed
    (strict: every object; otherwise those that declare `properties`) unless they say otherwise."""
    schema = close_objects(schema, declared_only=not strict) if schema else {}
    return G.add_caps(G.split_type_lists(schema))


def compile_response_format(llama: Any, response_format: dict[str, Any] | None, engine: str = "llguidance") -> Any:
    """A fresh constraint factory input: an LLMatcher (llguidance) or the GBNF text. SchemaError if
    the schema cannot be compiled; None for free text."""
    found = schema_of(response_format)
    if found is None:
        return None
    schema, strict = found
    schema = prepared_schema(schema, strict)
    key = G.schema_key(schema)
    if engine == "gbnf":
        try:
            return G.gbnf_grammar(key)
        except Exception as e:  # noqa: BLE001 - the converter raises assorted errors
            raise SchemaError(f"response_format.json_schema.schema cannot be turned into a grammar: {e}") from None

    def compile() -> Any:
        tokenizer = G.llg_tokenizer(llama)
        matcher, error = _llg_compile(tokenizer, schema, strict)
        if error is not None:
            where = _locate(tokenizer, schema, strict)
            raise SchemaError(f"response_format.json_schema.schema{' at ' + where if where else ''} is not supported: {error}")
        return matcher

    return _matchers.get((id(llama), key, strict), compile)


def _llg_compile(tokenizer: Any, schema: dict[str, Any], strict: bool) -> tuple[Any, str | None]:
    """(a compiled LLMatcher, None) or (None, the reason it cannot be compiled)."""
    from llguidance import LLMatcher

    try:
        options: Any = {**G.JSON_OPTIONS, "lenient": not strict}  # llguidance's JsonCompileOptions TypedDict
        grammar = LLMatcher.grammar_from_json_schema(G.schema_key(schema), defaults=options)
        matcher = LLMatcher(tokenizer, grammar, log_level=0)
    except Exception as e:  # noqa: BLE001 - llguidance raises ValueError/RuntimeError with the reason
        return None, _reason(e)
    return (None, _reason(matcher.get_error())) if matcher.is_error() else (matcher, None)


_CHILDREN = ("properties", "$defs", "definitions", "patternProperties")
_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SINGLE = ("items", "additionalProperties", "not", "contains")


def _locate(tokenizer: Any, schema: dict[str, Any], strict: bool, path: str = "", root: dict | None = None) -> str:
    """The JSON pointer of the deepest subschema that fails on its own ('' if none does alone)."""
    root = schema if root is None else root
    defs = {k: root[k] for k in ("$defs", "definitions") if k in root}
    children: list[tuple[str, Any]] = []
    for key in _CHILDREN:
        if isinstance(schema.get(key), dict) and key not in (("$defs", "definitions") if path else ()):
            children += [(f"{path}/{key}/{name}", sub) for name, sub in schema[key].items()]
    for key in _LISTS:
        if isinstance(schema.get(key), list):
            children += [(f"{path}/{key}/{i}", sub) for i, sub in enumerate(schema[key])]
    children += [(f"{path}/{key}", schema[key]) for key in _SINGLE if isinstance(schema.get(key), dict)]
    for where, sub in children:
        if isinstance(sub, dict) and _llg_compile(tokenizer, {**sub, **defs}, strict)[1] is not None:
            return _locate(tokenizer, sub, strict, where, root)
    return path


def schema_hint(response_format: dict[str, Any]) -> str:
    """What the prompt tells the model (the grammar enforces it; the hint makes the content sensible)."""
    found = schema_of(response_format)
    if found is None:
        return ""
    schema, _ = found
    if schema == {"type": "object"}:
        return OBJECT_HINT
    return HINT.format(schema=json.dumps(schema, separators=(",", ":")))


def structured_turn(chat: Any, request: Any, on_text: Any, usage: Any) -> Any:
    """The text turn of `LlamaCppChat` under the response_format's grammar (caller holds the lock)."""
    from core.types import LLMResponse, Message

    from .prompt import chat_messages

    loaded = chat._loaded
    runner: Runner = loaded.runner
    compiled = compile_response_format(loaded.llama, request.response_format, chat.engine)
    prompt = chat._prompt_tokens(chat_messages(request.messages, schema_hint(request.response_format)))
    runner.prefill(prompt)
    temperature = request.temperature or 0.0
    constraint: Constraint
    if chat.engine == "gbnf":
        constraint = GBNFConstraint(loaded.llama, compiled, temperature, chat.seed)
    else:
        constraint = LLGuidanceConstraint(compiled, runner.n_vocab)
    gen = runner.generate(chat._budget(request), constraint=constraint, temperature=temperature, rng=chat._rng, on_text=on_text)
    usage.prompt_tokens += len(prompt)
    usage.completion_tokens += len(gen.tokens)
    return LLMResponse(Message.assistant(gen.text), usage, chat.model, gen.finish_reason)


def _reason(e: Any) -> str:
    text = " ".join(str(e).split())
    return text if len(text) < 400 else text[:400] + "..."
