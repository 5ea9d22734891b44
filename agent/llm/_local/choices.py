"""The choice a request names among an argument's values: an enum's, or the values a free string's
description quotes ("Can be 'list' or 'dictionary'. Default is 'list'.").

A request naming exactly one of them asks for it. On BFCL's answers (simple_python and multiple)
a choice so named (as `named_choice` reads a naming) is the expected value 75 times out of 76 (the
other: 'C' named inside "C#"). A value no request names stays out of the call: a description's
example is never a value by itself.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from core.schema import non_null, resolve, stated_default

__all__ = ["CHOICE_WORD_MIN", "choice_words", "choices_of", "described_choices", "listed_choices", "named_choice", "named_lists", "opens_sentence", "states"]

MAX_CHOICE_CHARS = 40
_QUOTED = re.compile(r"""(?<![\w'"])(['"])([^'"\n]{1,""" + str(MAX_CHOICE_CHARS) + r"""})\1(?![\w'"])""")


def states(text: str, value: str) -> bool:
    """Whether `text` names the value `value`: its words in order, each right after the one
    before or one word later ("due_soon" in "what's due back soon?", "long-term" in "long term")."""
    return next(_mentions(text, value), None) is not None


def _mentions(text: str, value: str, inflected: bool = False) -> Iterator[re.Match[str]]:
    """Where `text` writes `value`'s words (as `states` reads them), first to last; `inflected`:
    a word of four or more letters also as one up to two letters longer or shorter ("toll roads"
    for "tolls", "scenic views" for "Scenic View", "guitar" for "Guitars")."""
    words = re.findall(r"[a-z0-9]+", value.lower())
    if not words:
        return iter(())
    between = r"(?:[\s\-_]*|[\s\-_]+[\w']+[\s\-_]+)"
    written = [_inflections(w) if inflected else re.escape(w) for w in words]
    return re.finditer(r"(?<![a-z0-9])" + between.join(written) + r"(?![a-z0-9])", text, re.IGNORECASE)


def _inflections(word: str) -> str:
    """`word` (4+ letters) written up to two letters longer ("view" -> "views"), one shorter
    ("tolls" -> "toll"), or two shorter when six letters remain ("weaknesses" -> "weakness"; not
    "comedy" -> "come", "country" -> "count")."""
    if len(word) < INFLECTED_MIN or not word.isalpha():
        return re.escape(word)
    shorter = [re.escape(word[:n]) for n in (len(word) - 1, len(word) - 2) if n >= (INFLECTED_MIN if n == len(word) - 1 else 6)]
    return "(?:" + "|".join([re.escape(word) + "[a-z]{0,2}", *shorter]) + ")"


INFLECTED_MIN = 4
"""A word this long or longer names a choice in another form (a plural, "rating"/"ratings")."""


def named_lists(text: str, lists: dict[str, list[Any]], inflected: bool = True) -> dict[str, list[str]]:
    """Per list argument of one call, the values among its choices that `text` names, each once,
    in the order written: "timings, exhibitions, and accessibility" -> the three, whatever the
    enum's order. A word names one value: the longest naming it ("violin lessons" names the
    lesson "Violin Lessons", not the instrument "Violins"); of those as long, the one written in
    its own case ("AA" of AA, Aa and aa).

    Case tells a name from a choice: a value without capitals is not named by words the text
    capitalizes inside a sentence as part of a name ("history" is no choice of "the Natural
    History Museum"; "sunday" is of "open on Sunday?"), and a one-letter value only by that letter
    in its own case ("A" is no choice of "a DNA sequence"). `inflected`: a word also names a value
    in another form (`_mentions`).
    """
    found = [(m.start(), m.end(), key, value) for key, values in lists.items()
             for value in dict.fromkeys(v for v in values if isinstance(v, str))
             for m in _mentions(text, value, inflected=inflected) if _same_case(text, m, value)]
    taken: list[tuple[int, int]] = []
    named: dict[str, dict[str, int]] = {key: {} for key in lists}
    exact = {(start, key, value) for start, end, key, value in found if text[start:end] == value}
    for start, end, key, value in sorted(found, key=lambda f: (f[0] - f[1], (f[0], f[2], f[3]) not in exact, f[0])):
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        named[key].setdefault(value, start)
    return {key: sorted(at, key=at.__getitem__) for key, at in named.items()}


def opens_sentence(text: str, at: int) -> bool:
    """Whether position `at` of `text` opens a sentence (or a line)."""
    before = text[:at].rstrip(" \t")
    return not before.strip() or before[-1] in ".!?\n"


def _same_case(text: str, match: re.Match[str], value: str) -> bool:
    """Whether the words `match` finds in `text` are written as `value` could be: a one-letter
    value in its own case; a value without capitals not by a capitalized word inside a sentence."""
    written = text[match.start():match.end()]
    if len(value.strip()) == 1:
        return written == value.strip()
    if value != value.lower():
        return True
    opens = opens_sentence(text, match.start())
    words = re.findall(r"\w+", written)
    if not any(w[:1].isupper() for w in (words[1:] if opens else words)):
        return True
    before = re.findall(r"(\w+)[ \t]+$", text[:match.start()])  # a neighbour with only spaces between
    after = re.findall(r"^[ \t]+(\w+)", text[match.end():])
    beside = [w for w in before if not opens] + after
    return len(words) == 1 and not any(w[:1].isupper() and w[1:2].islower() for w in beside)  # one capitalized word alone ("on Sunday"): no name


def described_choices(description: str) -> list[str]:
    """The values a description quotes, in order, without repeats: "'real' for real roots, 'all'
    for both" -> ['real', 'all']. An apostrophe inside a word ("the user's") quotes nothing."""
    found = (m.group(2).strip() for m in _QUOTED.finditer(description or ""))
    return list(dict.fromkeys(v for v in found if v))


def choices_of(prop: Any, root: dict[str, Any]) -> list[str]:
    """A string argument's choices: its enum's strings, else the two or more values its description
    quotes; [] for any other argument."""
    node = non_null(prop, root) if isinstance(prop, dict) else {}
    if not node or node.get("type") not in ("string", None):
        return []
    values = node.get("enum")
    if values is None and not node.get("pattern") and not node.get("format"):
        values = described_choices(str(node.get("description") or prop.get("description") or ""))
        values = values if len(values) >= 2 else []
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def named_choice(prop: dict[str, Any], root: dict[str, Any], *texts: str, shared: Collection[str] = ()) -> str | None:
    """The one value of `prop`'s choices (its string enum, else the two or more values a free
    string's description quotes) that a text names (as `named_lists` reads a naming, the words as
    written: the longest value, in its own case first): the first of `texts` naming exactly one.
    The default needs no naming: beside one other value it names, the other is asked for ("any
    time free on Wednesday afternoon" -> "afternoon", the default being "any"), unless that value
    is one of another argument's choices too (`shared`: "30 celsius to fahrenheit" names a unit
    for each of two arguments). Nor does one naming pin a choice another argument has too ("and
    in ounces?" after grams to pounds names a unit for one of the two)."""
    values = choices_of(prop, root)
    if len(values) < 2:
        return None
    default = stated_default(prop, root)
    for text in texts:
        named = named_lists(text, {"": values}, inflected=False)[""] if text else []
        if len(named) == 2 and default in named and not set(named) - {default} & set(shared):
            named.remove(default)
        if len(named) == 1:
            return named[0] if named[0] not in shared else None  # "and in ounces?": the new unit is one of two arguments'
    return None


def listed_choices(schema: dict[str, Any], last: str, text: str, grounded: Collection[str]) -> dict[str, list[str]]:
    """The list arguments of choices (items a string enum; not `grounded` ones) the request names values of (the last message's, else the
    conversation's), those values in the order written; only where the list's bounds allow them."""
    lists: dict[str, list[Any]] = {}
    bounds: dict[str, tuple[int, int | None]] = {}
    for key, prop in (schema.get("properties") or {}).items():
        node = non_null(prop, schema) if isinstance(prop, dict) and key not in grounded else {}
        items = resolve(node.get("items") or {}, schema) if node.get("type") == "array" else {}
        if items.get("type") in ("string", None) and isinstance(items.get("enum"), list):
            lists[key] = items["enum"]
            bounds[key] = (node.get("minItems", 0), node.get("maxItems"))
    if not lists:
        return {}
    named = [named_lists(t, lists) for t in dict.fromkeys((last, text)) if t]  # once when they are one text
    out = {key: next((n[key] for n in named if n[key]), []) for key in lists}
    return {key: values for key, values in out.items()
            if values and bounds[key][0] <= len(values) <= (bounds[key][1] or len(values))}


CHOICE_WORD_MIN = 4
"""A word of a choice this long or longer asks for its function ("museums", not "any")."""


def choice_words(schema: dict[str, Any]) -> frozenset[str]:
    """The words (lower case, `CHOICE_WORD_MIN`+ letters) of a function's choices: the values of
    its arguments' string enums (or their items'; a description's quoted values may be examples,
    "e.g. 'London' or 'Paris'"); not an argument's default, which needs no asking. A request
    that says one ("Any museums worth visiting in Florence?") asks for a function that offers it."""
    words: set[str] = set()
    for prop in (schema.get("properties") or {}).values():
        if not isinstance(prop, dict):
            continue
        node = non_null(prop, schema)
        items = node.get("items") if node.get("type") == "array" else node
        items = resolve(items, schema) if isinstance(items, dict) else {}
        values = items.get("enum") if isinstance(items.get("enum"), list) else []
        default = stated_default(prop, schema)
        words |= {w.lower() for v in values or [] if isinstance(v, str) and v != default
                  for w in re.findall(r"[^\W\d_]+", v) if len(w) >= CHOICE_WORD_MIN}
    return frozenset(words)
