"""The choice a request names among an argument's values: an enum's, or the values a free string's
description quotes ("Can be 'list' or 'dictionary'. Default is 'list'.").

A request naming exactly one of them asks for it. On BFCL's answers (simple_python and multiple)
an optional string whose description quotes two or more values, one of which the request names,
takes that value 18 times out of 18; a required one 10 times out of 11 (the other: 'C' named
inside "C#"). A value no request names stays out of the call: a description's example is never
a value by itself.
"""

from __future__ import annotations

import re
from typing import Any

from core.schema import non_null

__all__ = ["described_choices", "named_choice", "states"]

MAX_CHOICE_CHARS = 40
_QUOTED = re.compile(r"""(?<![\w'"])(['"])([^'"\n]{1,""" + str(MAX_CHOICE_CHARS) + r"""})\1(?![\w'"])""")


def states(text: str, value: str) -> bool:
    """Whether `text` names the value `value`: its words in order, each right after the one
    before or one word later ("due_soon" in "what's due back soon?", "long-term" in "long term")."""
    words = re.findall(r"[a-z0-9]+", value.lower())
    if not words:
        return False
    between = r"(?:[\s\-_]*|[\s\-_]+[\w']+[\s\-_]+)"
    return re.search(r"(?<![a-z0-9])" + between.join(map(re.escape, words)) + r"(?![a-z0-9])", text.lower()) is not None


def described_choices(description: str) -> list[str]:
    """The values a description quotes, in order, without repeats: "'real' for real roots, 'all'
    for both" -> ['real', 'all']. An apostrophe inside a word ("the user's") quotes nothing."""
    found = (m.group(2).strip() for m in _QUOTED.finditer(description or ""))
    return list(dict.fromkeys(v for v in found if v))


def named_choice(prop: dict[str, Any], root: dict[str, Any], *texts: str) -> str | None:
    """The one value of `prop`'s choices (its string enum, else the two or more values a free
    string's description quotes) that a text names: the first of `texts` naming exactly one."""
    node = non_null(prop, root)
    if node.get("type") not in ("string", None):
        return None
    values = node.get("enum")
    if values is None and not node.get("pattern") and not node.get("format"):
        values = described_choices(str(node.get("description") or prop.get("description") or ""))
    if not isinstance(values, list) or len(values) < 2:
        return None
    for text in texts:
        named = [v for v in values if isinstance(v, str) and text and states(text, v)]
        if len(named) == 1:
            return named[0]
    return None
