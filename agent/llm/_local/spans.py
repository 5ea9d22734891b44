"""String arguments decoded as spans of the conversation, by construction.

A required free-text string argument (no enum, const, pattern or format of its own) may only take a
run of up to `MAX_SPAN_WORDS` consecutive words of the conversation: the user's messages, tool
results, and the values of earlier calls. Each word may lose the punctuation around it ("Porto?" ->
"Porto", "pat@example.org." -> "pat@example.org") but never part of itself, so a description's
example ("e.g. X100"), a placeholder ("account_email"), a fragment ("example.org") or a mangled name
("Portage" for "Portland") cannot be written. The spans become one regular expression (a trie of
word sequences) in the schema's `pattern`, which llguidance and llama.cpp's GBNF both enforce.
Nothing here knows a language: words are what whitespace separates.

A span never starts with a word the catalog's requests open with (`opening_words`: the first word
of each function's name and of each example request: "cancel", "move", "book", "show"): that
word asks for a function, it is not a value. "cancel the yoga class" gives
`event="the yoga class"` or "yoga class", not "cancel"; "Book Vendor check-in" gives the title
"Vendor check-in". The word may still stand inside a span ("Book club" cannot start one, "a Book
club" can). An earlier call's value keeps its own words (a title "Call with Dana" is written back
whole). On BFCL's answers (simple_python and multiple), no stated value starts with such a word
(0 of 707, with descriptions' first words counted too), nor on any of our domains' cases.

Nor is a run made only of words of the catalog's function and argument names a value
(`name_words`): "check my spam folder" names the `folder` argument, whose value is "spam";
`query="folder"` is no reading of it, nor is `date="free"` of "any free time on Friday?"
(`find_free_slot`). On BFCL's answers no stated value is such a run (0 of 661), nor on our
domains'.

Nor does a span of two or more words end with one of the model's most frequent words
(`SpanRules.not_last`, from `frequent.frequent_words`: "at", "for", "on" for SmolLM2), unless the
text ends a clause there: such a word joins a value to what follows ("June 18 at 1pm", "Car
service for Saturday"), it does not end one ("Hello, how are you?" still does); nor is a run of
such words alone a value (`title="for"`). On BFCL's answers and our domains' cases no stated
value of two or more words ends so (1 of 439, which ends a clause), and none is made only of
them (but "c", a unit the description quotes as a choice).

These rules travel together (`SpanRules`): a pattern made again without some words
(`without_values`) keeps them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.schema import FREE_TEXT, allows_null, non_null, resolve
from core.types import Message, ToolSpec

from .choices import described_choices
from .evidence import identifier_words, split_examples
from .names import _LEADING, _TRAILING, bare, in_name_gap, inside_names
from .shapes import others_shaped, own_shaped, shaped_values
from .span_rules import NO_RULES, SpanRules

__all__ = ["MAX_SPAN_WORDS", "NO_RULES", "SpanRules", "bare", "call_values", "catalog_spans", "constrain_strings", "conversation_text", "is_span",
           "name_words", "opening_words", "others_choice_words", "recent_lines", "span_pattern", "span_rules", "without_values"]

MAX_SPAN_WORDS = 6
MAX_WORDS = 300
"""The most recent words of the conversation that spans are taken from (the request's always are)."""
_META = set("\\.+*?()|[]{}^$#&-~")


def conversation_text(messages: Sequence[Message]) -> str:
    """What the conversation states, oldest first: the user's messages, tool results, and the
    argument values of the calls made so far (one per line)."""
    lines: list[str] = []
    for m in messages:
        if m.role in ("user", "tool"):
            lines.append(m.content or "")
        elif m.role == "assistant":
            for call in m.tool_calls:
                lines += [str(v) for v in _scalars(call.arguments)]
    return "\n".join(line for line in lines if line)


def call_values(messages: Sequence[Message]) -> frozenset[str]:
    """The string values of the calls made so far, as `conversation_text` writes them (a line each)."""
    return frozenset(" ".join(str(v).split()) for m in messages if m.role == "assistant" for call in m.tool_calls
                     for v in _scalars(call.arguments))


def _scalars(arguments: str) -> list[Any]:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return []
    out: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack += list(v.values())
        elif isinstance(v, list):
            stack += v
        elif isinstance(v, str) and v.strip():
            out.append(v)
    return out


def _escape(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


def _word(raw: str) -> str | None:
    """The regex of one word: its core, optionally followed by the punctuation it ends with."""
    core = raw.lstrip(_LEADING)
    stripped = core.rstrip(_TRAILING)
    if not stripped or any(c in stripped for c in '"\\') or any(ord(c) < 32 for c in stripped):
        return None
    tail = core[len(stripped):]
    tail_ok = tail and not any(c in tail for c in '"\\')
    return _escape(stripped) + (f"({_escape(tail)})?" if tail_ok else "")


def recent_lines(text: str) -> list[list[str]]:
    """The words of `text`'s lines, the most recent line first, up to its last `MAX_WORDS` words."""
    kept: list[list[str]] = []
    budget = MAX_WORDS
    for line in reversed(text.splitlines()):
        if budget <= 0:
            break
        words = line.split()
        kept.append(words[-budget:])
        budget -= len(words)
    return kept


def opening_words(specs: Sequence[ToolSpec]) -> frozenset[str]:
    """The words (lower case) the catalog's requests open with: the first word of each function's
    name and of each of its example requests (not of its description: "The weather forecast
    for ..." would refuse "The Hague")."""
    out: set[str] = set()
    for spec in specs:
        out.update(identifier_words(spec.name.rsplit(".", 1)[-1])[:1])
        out.update(_core(text.split()[0]) for text in split_examples(spec.description)[1] if text.split())
    return frozenset(w for w in out if w)


def name_words(specs: Sequence[ToolSpec]) -> frozenset[str]:
    """The words (lower case) of the catalog's function and argument names: `find_free_slot` ->
    find, free, slot; `start_time` -> start, time."""
    keys = [key for spec in specs for key in (spec.parameters.get("properties") or {})]
    return frozenset(w for name in [*(spec.name.rsplit(".", 1)[-1] for spec in specs), *keys] for w in identifier_words(name))




def span_rules(specs: Sequence[ToolSpec], messages: Sequence[Message], frequent: frozenset[str] = frozenset()) -> SpanRules:
    """The rules of the catalog `specs` in the conversation `messages`: no span starts with one of
    its opening words (nor with a name word written in lower case) or is a run of its name words or
    of the `frequent` words, nor ends with one of the `frequent` words, except in the values of the
    calls made so far."""
    names = name_words(specs)
    return SpanRules(opening_words(specs), names | frequent, frequent, call_values(messages), whole_names=True, not_first_lower=names)


def catalog_spans(text: str, rules: SpanRules) -> str | None:
    """`span_pattern` of `text` under `rules`; every span when they leave none (a request of
    refused words only)."""
    return span_pattern(text, rules=rules) or span_pattern(text)


def _core(word: str) -> str:
    return bare(word).lower()


def span_pattern(text: str, max_words: int = MAX_SPAN_WORDS, exclude: frozenset[str] = frozenset(),
                 rules: SpanRules = NO_RULES) -> str | None:
    """An anchored regex matching every run of 1..`max_words` consecutive words of `text` (a word
    may drop its surrounding punctuation), or None when `text` has no word. Lines do not join;
    words in `exclude` (lower case, punctuation stripped) are left out and break runs. `rules`: a
    word in `not_first` starts no run (`opening_words`); a run of words all in `not_alone` is no
    span (`name_words`), though it may be part of one; a run of two or more words ends with no
    word in `not_last` that the text does not follow with punctuation, nor with one in `not_end`.
    A line that is one of `values` (an earlier call's value, `call_values`) keeps every run."""
    trie: dict[str, dict] = {}
    for line in recent_lines(text):
        kept = " ".join(line) in rules.values
        here = NO_RULES if kept else rules
        cores = [_core(w) for w in line]
        words = [None if c in exclude else _word(w) for c, w in zip(cores, line)]
        joins = [bare(w) in here.not_last and w.lstrip(_LEADING) == bare(w) for w in line]  # a frequent word, no clause ends there
        refused = [c in here.not_first or (c in here.not_first_lower and w.lstrip(_LEADING)[:1].islower()) for c, w in zip(cores, line)]
        startable = [w is not None and not r for w, r in zip(words, refused)]
        inner = inside_names(line, startable, max_words) if here.whole_names else [False] * len(line)
        gap = in_name_gap(line, here.not_last) if here.whole_names else inner
        for i in range(len(words)):
            if refused[i] or inner[i] or gap[i]:
                continue
            node = trie
            alone = True
            for n, (w, c) in enumerate(zip(words[i:i + max_words], cores[i:i + max_words])):
                if w is None or (n and here.items and joins[i + n] and not gap[i + n]):
                    break
                node = node.setdefault(w, {})
                alone = alone and c in here.not_alone
                if not alone and not (n and (joins[i + n] or c in here.not_end)) and not (i + n + 1 < len(inner) and inner[i + n + 1]):
                    node[_END] = {}
    body = _alternatives(trie)
    return "^(" + body + ")$" if body else None


_END = ""
"""The trie key that marks a run ending there as a span (no word's regex is empty)."""


def _alternatives(node: dict[str, dict]) -> str:
    parts = []
    for word in sorted(k for k in node if k != _END):
        child = node[word]
        rest = _alternatives(child)
        if _END in child:
            parts.append(word + (f"( ({rest}))?" if rest else ""))
        elif rest:
            parts.append(f"{word} ({rest})")
    return "|".join(parts)


LONG_TEXT = 20
"""A string that must be at least this long (`minLength`) is prose, not a name: never a span."""


def _free_string(node: dict[str, Any]) -> bool:
    """A string argument to decode as a span of the conversation (a name, a place, a value)."""
    return (node.get("type") == "string" and not any(k in node for k in ("enum", "const", "pattern", "format", FREE_TEXT))
            and int(node.get("minLength") or 0) < LONG_TEXT)


def constrain_strings(schema: dict[str, Any], pattern: str | None, longest: int | None = None, text: str = "",
                      last: str = "", rules: SpanRules = NO_RULES) -> dict[str, Any]:
    """`schema` with every required free-text string argument (or the string items of a required
    list) restricted to `pattern`, or to the words of `text` (the conversation) of the shape its
    description's example shows (`shapes.shaped_values`: an email address, an id), and never to a
    word of a shape only another argument's example shows ("11am" is no date when the start time
    is shown as 3pm). An optional one is written when the `last` message writes a word of a shape
    only its own example shows ("at 5pm instead" -> the new start time, shown as 3pm); other
    optional ones are left to be dropped when not stated, and hold at most `longest` characters
    (the conversation's length: a value it states is no longer), so a small model's invented text
    cannot loop to the length cap and cut the call short. `rules`: what `pattern` refuses
    (`span_rules`), kept where an argument's own pattern is made again."""
    props = schema.get("properties") or {}
    if not pattern or not props:
        return schema
    required = set(schema.get("required") or [])
    descriptions = {k: str(resolve(p, schema).get("description") or p.get("description") or "") for k, p in props.items() if isinstance(p, dict)}
    new_props = dict(props)
    stated: list[str] = []
    for key, prop in props.items():
        if not isinstance(prop, dict):
            continue
        if key not in required or allows_null(prop, schema):
            written = own_shaped(descriptions, key, last) if _free_string(non_null(prop, schema)) else []
            bounded = _bounded(prop, schema, longest) if longest else None
            if written:  # the last message writes a value of the form only this argument shows
                new_props[key] = {"type": "string", "pattern": _alternatives_of(written), **_about(descriptions[key])}
                stated.append(key)
            elif bounded is not None:
                new_props[key] = bounded
            continue
        node = resolve(prop, schema)
        about = _about(descriptions[key])
        if _free_string(node):
            new_props[key] = {"type": "string", "pattern": _shaped(node, text) or _own_pattern(pattern, text, props, schema, descriptions, key, rules), **about}
        elif node.get("type") == "array" and isinstance(node.get("items"), dict) and _free_string(items := resolve(node["items"], schema)):
            listed = (span_pattern(text, rules=replace(rules, items=True)) if rules.not_last else None) or pattern
            new_props[key] = {**node, "items": {"type": "string", "pattern": _shaped(items, text) or _shaped(node, text) or listed}}
    if new_props == props:
        return schema
    out = {**schema, "properties": new_props}
    return {**out, "required": [*(schema.get("required") or []), *(k for k in stated if k not in required)]} if stated else out


def _about(description: str) -> dict[str, str]:
    return {"description": description} if description else {}


def _alternatives_of(words: Sequence[str]) -> str:
    return "^(" + "|".join(re.escape(w) for w in words) + ")$"


def _own_pattern(pattern: str, text: str, props: dict[str, Any], schema: dict[str, Any], descriptions: dict[str, str], key: str,
                 rules: SpanRules) -> str:
    """`pattern` for argument `key`: without the words of `text` that have a shape only other
    arguments' examples show, and with no span made only of words of other arguments' choices or
    starting or ending with one ("audiobook" is the format's, not the query's, nor is "audiobook of
    Project Hail Mary"; "spam" the folder's; "Wednesday afternoon" is no date beside a part of the
    day). On BFCL's answers no stated string is made of another
    argument's choices or starts or ends with one (0 of 735)."""
    theirs = others_shaped(descriptions, key, text)
    choices = _choice_rules(props, schema, key)
    if not theirs and not choices.not_first & {_core(w) for w in text.split()}:
        return pattern
    return span_pattern(text, exclude=frozenset(w.lower() for w in theirs), rules=rules | choices) or pattern


def _choice_rules(props: dict[str, Any], schema: dict[str, Any], key: str) -> SpanRules:
    """Argument `key`'s spans neither start nor end with, nor are made only of, the other arguments' choices."""
    choices = others_choice_words(props, schema, key)
    return SpanRules(choices, choices, not_end=choices)


def others_choice_words(props: dict[str, Any], schema: dict[str, Any], key: str) -> frozenset[str]:
    """The words (lower case) of the other arguments' choices that are none of argument `key`'s own."""
    own = _choice_words(props[key], schema)
    return frozenset(w for k, p in props.items() if k != key for w in _choice_words(p, schema)) - own


def _choice_words(prop: Any, schema: dict[str, Any]) -> frozenset[str]:
    """The words (lower case) of an argument's choices: its string enum (or its items'), or the two
    or more values its description quotes."""
    if not isinstance(prop, dict):
        return frozenset()
    node = non_null(prop, schema)
    items = resolve(node.get("items") or {}, schema) if node.get("type") == "array" else node
    values = items.get("enum") if isinstance(items.get("enum"), list) else None
    if values is None and node.get("type") == "string" and not node.get("pattern"):
        quoted = described_choices(str(node.get("description") or prop.get("description") or ""))
        values = quoted if len(quoted) >= 2 else []
    return frozenset(w for v in values or [] if isinstance(v, str) for w in re.split(r"[\s_]+", v.lower()) if w)


def is_span(prop: Any) -> bool:
    """Whether an argument's schema holds it to the conversation's spans (a pattern
    `constrain_strings` or `without_values` wrote)."""
    return isinstance(prop, dict) and "pattern" in prop


def _shaped(node: dict[str, Any], text: str, exclude: frozenset[str] = frozenset()) -> str | None:
    """A pattern of the words of `text` (but `exclude`, lower case) that have the shape of the
    example in `node`'s description, or None when there are none."""
    values = shaped_values(str(node.get("description") or ""), text) if text else []
    values = [v for v in values if v.lower() not in exclude]
    return _alternatives_of(values) if values else None


def _bounded(prop: dict[str, Any], schema: dict[str, Any], longest: int) -> dict[str, Any] | None:
    """An optional free-text string argument's schema with at most `longest` characters (null
    still allowed where it was); None for any other argument."""
    node = non_null(prop, schema)
    if not _free_string(node) or "maxLength" in node:
        return None
    about = {"description": d} if (d := prop.get("description") or node.get("description")) else {}
    text = {"type": "string", "maxLength": longest}
    return {"anyOf": [text, {"type": "null"}], **about} if allows_null(prop, schema) else {**text, **about}


def without_values(schema: dict[str, Any], fixed: dict[str, Any], text: str, rules: SpanRules = NO_RULES) -> dict[str, Any]:
    """`schema` in which the span-constrained arguments not in `fixed` cannot take the words of
    `fixed`'s string values: a value the request states once is one argument's value (the second
    flight's origin is not also its destination). Their patterns are made again under `rules`
    (those `constrain_strings` was given: a catalog's opening words, a run of name words) and
    without the other arguments' choices, as `constrain_strings` made them."""
    words = frozenset(_core(w) for v in fixed.values() if isinstance(v, str) for w in v.split())
    props = schema.get("properties") or {}
    targets = [k for k, p in props.items() if k not in fixed and is_span(p)]
    if not words or not targets:
        return schema
    new = dict(props)
    descriptions = {k: str(p.get("description") or "") for k, p in props.items() if isinstance(p, dict)}
    for k in targets:
        theirs = words | frozenset(w.lower() for w in others_shaped(descriptions, k, text))
        # an argument of a shape the text writes keeps to that shape, even when another value took its words
        pattern = (_shaped(props[k], text, words) or _shaped(props[k], text)) if shaped_values(descriptions[k], text) else \
            span_pattern(text, exclude=theirs, rules=rules | _choice_rules(props, schema, k))
        if pattern is not None:
            new[k] = {**props[k], "pattern": pattern}
    return {**schema, "properties": new}

