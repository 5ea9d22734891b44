"""A description's example shows its argument's form: an email address, an id, a date.

A description that writes a value with digits or an `@` in it ("The recipient's email address,
such as pat@example.org"; "the order number, e.g. X100") shows what a value of that argument looks
like, even though that value is never the one to write. Its *shape* is the value with each run of
capitals, small letters and digits written as one `A`, `a` or `9`, the other characters kept:
pat@example.org -> a@a.a, X100 -> A9, EV-2031 -> A-9, 2025-06-12 -> 9-9-9, 14:30 -> 9:9. When the
conversation writes words of an example's shape, a span argument may only take one of those words
(`shaped_values`): "send dana@example.org an email titled Venue shortlist" gives
`to="dana@example.org"`, not "Venue shortlist". When it writes none ("Friday" for a date shown as
2025-06-12), the argument stays a span of the conversation.

Words of letters only (a code like USD, a name) or of digits only (a count, a year) have no
distinctive shape and are never read so. Nothing here knows a language or a tool: the shapes are
the user's own examples.
"""

from __future__ import annotations

import re

__all__ = ["example_shapes", "others_shaped", "own_shaped", "shape", "shaped_values"]

_TRIM = "\"'`()[]{}<>«»“”‘’,.;:!?"


def shape(word: str) -> str:
    """`word` with each run of capitals, small letters and digits as one A, a or 9 (X100 -> A9)."""
    out = re.sub(r"[A-Z]+", "A", word)
    out = re.sub(r"[a-z]+", "a", out)
    return re.sub(r"[0-9]+", "9", out)


def _distinctive(word: str) -> bool:
    """A word whose shape says something: it has a digit or an @, and is not a plain number."""
    return bool(re.search(r"[\d@]", word)) and not re.fullmatch(r"[\d.,]+", word)


def _words(text: str) -> list[str]:
    return [w for w in (t.strip(_TRIM) for t in (text or "").split()) if w]


def example_shapes(description: str) -> frozenset[str]:
    """The shapes of the distinctive words `description` writes (its examples' forms)."""
    return frozenset(shape(w) for w in _words(description) if _distinctive(w))


def shaped_values(description: str, text: str) -> list[str]:
    """The words of `text` (in order, once each) that have the shape of a distinctive word of
    `description`; empty when the description shows no such example or the text has none."""
    return _of_shapes(example_shapes(description), text)


def _of_shapes(shapes: frozenset[str], text: str) -> list[str]:
    if not shapes:
        return []
    return list(dict.fromkeys(w for w in _words(text) if _distinctive(w) and shape(w) in shapes))


def others_shaped(descriptions: dict[str, str], key: str, text: str) -> list[str]:
    """The words of `text` that have a shape another argument's description shows and `key`'s
    does not: "11am" is a start time's (shown as 3pm), not a date's (shown as 2025-06-12), so the
    date is no span of it. `descriptions`: argument -> description, of one function."""
    own, others = _own_and_others(descriptions, key)
    return _of_shapes(others - own, text)


def own_shaped(descriptions: dict[str, str], key: str, text: str) -> list[str]:
    """The words of `text` that have a shape `key`'s description shows and no other argument's
    does: the value of that argument, when it is optional and the request writes it ("at 5pm
    instead" for a new start time shown as 3pm)."""
    own, others = _own_and_others(descriptions, key)
    return _of_shapes(own - others, text)


def _own_and_others(descriptions: dict[str, str], key: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the shapes `key`'s description shows, those the other arguments' descriptions show)."""
    others = frozenset(s for k, d in descriptions.items() if k != key for s in example_shapes(d))
    return example_shapes(descriptions.get(key, "")), others
