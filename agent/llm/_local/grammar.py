"""Argument schemas turned into decoding constraints: grounding applied, caps added, compiled once.

Two engines: llguidance (`LLMatcher`, the default: fast masks, fast-forward tokens) and llama.cpp's
GBNF (`json_schema_to_gbnf`, the fallback). Compiled grammars are cached per schema text (which
already includes the grounding), so a tool set, choice and grounding seen before costs nothing.
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from core.schema import allows_null, close_objects, non_null, resolve

ENGINES = ("llguidance", "gbnf")
MAX_ITEMS = 12
"""Arrays with no `maxItems` get this one, so a small model cannot write a runaway list."""

JSON_OPTIONS = {"whitespace_flexible": False, "item_separator": ",", "key_separator": ":", "lenient": True}
"""Compact JSON (no free whitespace): fewer tokens, and the format the tool prompt shows."""


# -- schema preparation -------------------------------------------------------------------
def grounded_schema(parameters: dict[str, Any], grounding: dict[str, list[str]] | None) -> dict[str, Any]:
    """A copy of `parameters` where every grounded argument may only take one of its values.

    The arguments object, and every object in it that declares `properties`, is closed: a call
    carries exactly its function's declared arguments, whatever the schema's `strict` says (an open
    object would let another tool's argument leak into the call).
    """
    schema: dict[str, Any] = close_objects(parameters, declared_only=True) if parameters else {"type": "object", "properties": {}}
    schema.setdefault("type", "object")
    schema.setdefault("additionalProperties", False)
    props: dict[str, Any] = schema.get("properties") or {}
    for arg, values in (grounding or {}).items():
        values = [v for v in dict.fromkeys(values or []) if isinstance(v, str)]
        if arg not in props or not values:
            continue
        props[arg] = _restrict(props[arg], values, schema)
    return add_caps(split_type_lists(schema))


def _restrict(prop: dict[str, Any], values: list[str], root: dict[str, Any]) -> dict[str, Any]:
    nullable = allows_null(prop, root)
    core = non_null(prop, root)
    description = prop.get("description")
    if core.get("type") == "array":
        items = resolve(core.get("items") or {}, root)
        new: dict[str, Any] = {**core, "items": {"type": "string", "enum": _within(items, values)}}
    else:
        new = {"type": "string", "enum": _within(core, values)}
    if nullable:
        new = {"anyOf": [new, {"type": "null"}]}
    if description:
        new["description"] = description
    return new


def _within(schema: dict[str, Any], values: list[str]) -> list[Any]:
    """The grounded values, spelled as the schema's own enum spells them when it has one."""
    allowed = schema.get("enum")
    if "const" in schema:
        allowed = [schema["const"]]
    if not allowed:
        return values
    by_lower = {str(a).lower(): a for a in allowed}
    kept = [by_lower[v.lower()] for v in values if v.lower() in by_lower]
    return list(dict.fromkeys(kept)) or list(allowed)


_SHARED = {"description", "title"}


def split_type_lists(node: Any) -> Any:
    """`{"type": ["array", "null"], "items": ...}` -> `{"anyOf": [{"type": "array", "items": ...}, {"type": "null"}]}`.

    Both mean the same; llama.cpp's GBNF converter only understands the second (it turns the
    first into "any array"), and the split keeps every keyword with its own type.
    """
    if isinstance(node, list):
        return [split_type_lists(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: ({name: split_type_lists(sub) for name, sub in v.items()} if k == "properties" and isinstance(v, dict)
               else split_type_lists(v) if k not in ("enum", "const", "default", "examples") else v) for k, v in node.items()}
    t = out.get("type")
    if isinstance(t, list):
        if len(t) == 1:
            out["type"] = t[0]
        elif t:
            shared = {k: v for k, v in out.items() if k in _SHARED}
            body = {k: v for k, v in out.items() if k not in _SHARED and k != "type"}
            alts = [{"type": "null"} if x == "null" else {**body, "type": x} for x in t]
            if "anyOf" in body:  # already a union: keep it, only the type list goes
                return out
            out = {**shared, "anyOf": alts}
    return out


def add_caps(node: Any) -> Any:
    """Give every array without a `maxItems` the default cap (in place; returns the node)."""
    if isinstance(node, list):
        for n in node:
            add_caps(n)
    elif isinstance(node, dict):
        t = node.get("type")
        if (t == "array" or (isinstance(t, list) and "array" in t)) and "maxItems" not in node:
            node["maxItems"] = max(MAX_ITEMS, int(node.get("minItems", 0)))
        for k, v in node.items():
            if k not in ("enum", "const", "default", "examples"):
                add_caps(v)
    return node


MAX_NUMBER = 10**15
"""Numbers with no bound get this one (and its negative) when decoding: a small model otherwise
writes digits to the token cap for a number the request does not write ("over the past decade")."""


def with_number_bounds(node: Any) -> Any:
    """A copy of `node` in which every integer or number without a `maximum` (`minimum`) gets
    MAX_NUMBER (-MAX_NUMBER); enums and consts are left as they are."""
    if isinstance(node, list):
        return [with_number_bounds(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in ("enum", "const", "default", "examples") else with_number_bounds(v)) for k, v in node.items()}
    t = node.get("type")
    if (t in ("integer", "number") or (isinstance(t, list) and {"integer", "number"} & set(t))) and "enum" not in node and "const" not in node:
        if "maximum" not in node and "exclusiveMaximum" not in node:
            out["maximum"] = MAX_NUMBER
        if "minimum" not in node and "exclusiveMinimum" not in node:
            out["minimum"] = -MAX_NUMBER
    return out


def schema_key(schema: dict[str, Any]) -> str:
    return json.dumps(schema, separators=(",", ":"))  # property order matters to the grammar


# -- llguidance ---------------------------------------------------------------------------
_lock = threading.Lock()
_tokenizers: dict[int, Any] = {}


def llg_tokenizer(llama: Any) -> Any:
    """The llguidance tokenizer of a loaded model (built once per model: ~1 s)."""
    key = id(llama)
    with _lock:
        tok = _tokenizers.get(key)
        if tok is None:
            import llama_cpp
            from llguidance.llamacpp import lltokenizer_from_vocab

            vocab = llama_cpp.llama_model_get_vocab(llama.model)
            with warnings.catch_warnings():  # it calls a deprecated llama.cpp function per token
                warnings.simplefilter("ignore", DeprecationWarning)
                tok = _tokenizers[key] = lltokenizer_from_vocab(vocab)
        return tok


@lru_cache(maxsize=512)
def llg_grammar(key: str) -> str:
    from llguidance import LLMatcher

    return LLMatcher.grammar_from_json_schema(key, defaults=JSON_OPTIONS)  # type: ignore[arg-type]  # a TypedDict


class MatcherCache:
    """Compiled llguidance matchers by key, compiled once and handed out as fresh copies (bounded)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._lock = threading.Lock()
        self._templates: dict[Any, Any] = {}

    def get(self, key: Any, compile: Callable[[], Any]) -> Any:
        """A copy of the matcher for `key`; `compile()` builds it (and raises) the first time."""
        with self._lock:
            template = self._templates.get(key)
        if template is None:
            template = compile()
            with self._lock:
                if len(self._templates) >= self.limit:
                    self._templates.clear()
                self._templates[key] = template
        return template.deep_copy()


_schema_matchers = MatcherCache(512)


def llg_matcher(llama: Any, schema: dict[str, Any]) -> Any:
    """A fresh `LLMatcher` for `schema` (a copy of a cached, compiled one)."""
    from llguidance import LLMatcher

    key = schema_key(schema)

    def compile() -> Any:
        matcher = LLMatcher(llg_tokenizer(llama), llg_grammar(key), log_level=0)
        if matcher.is_error():
            raise ValueError(f"llguidance cannot compile the schema: {matcher.get_error()}")
        return matcher

    return _schema_matchers.get((id(llama), key), compile)


# -- GBNF ---------------------------------------------------------------------------------
@lru_cache(maxsize=512)
def gbnf_grammar(key: str) -> str:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return json_schema_to_gbnf(key)


def compile_check(llama: Any, schema: dict[str, Any], engine: str) -> None:
    """Compile `schema` for `engine` now (raises ValueError if it cannot)."""
    if engine == "llguidance":
        llg_matcher(llama, schema)
    elif engine == "gbnf":
        import llama_cpp

        text = gbnf_grammar(schema_key(schema))
        vocab = llama_cpp.llama_model_get_vocab(llama.model)
        sampler = llama_cpp.llama_sampler_init_grammar(vocab, text.encode("utf-8"), b"root")
        if not sampler:
            raise ValueError("llama.cpp rejected the GBNF grammar")
        llama_cpp.llama_sampler_free(sampler)
    else:
        raise ValueError(f"unknown grammar engine {engine!r}: use one of {ENGINES}")
