"""What the arguments' names say about which value goes where, for anyone's tools.

- A value written right after a word of an argument's name, or right before its last word, is that
  argument's value: "Convert 300 EUR to USD" -> `to_currency="USD"` (and so `from_currency="EUR"`),
  "a cone of radius 4" -> `radius=4`, "the Westgate branch" -> `branch="Westgate"` (`cued_values`).
- Sibling arguments take their values in the order written: numbered ones ("the highest common
  factor of 36 and 24" -> `number1=36, number2=24`), and those whose names end in the same word
  ("500 CAD in USD" -> `from_currency="CAD", to_currency="USD"`) (`in_written_order`), except
  that a value written right after a number is the amount's unit and goes first ("how many
  millilitres is 3 cups" converts from cups); a follow-up keeps that unit or restates it
  (`amount_unit`: "and in ounces?", "and 250 GBP to EUR?").

An argument's name words are the first and last words of its name (split at `_`, `-`, digits and
case changes: `from_currency` -> from, currency; `rate_of_return` -> rate, return: the words
between join them, they name nothing). A value is *cued* to an argument when the word right
before it in the request, with only spaces between, is one of those words (for a number, also one
word earlier: "a width of 7", unless a number comes right before that word: "180 hits and 600"), or the word right after
it is the name's last word ("the Westgate branch" -> `branch`; not after a list, "for 2 and 5
nights", where it names every item; nor before a value, "a human gene 'BRCA1'", which the name
names), and it is cued to no other argument. Measured on BFCL's answers (simple_python and multiple, every value written once): the
word before names the value's own argument 68 times and another's never; for a number, the word
two before (no number right before that word), 94 times and another's twice ("a 5% annual yield
after 3 years", in both categories); the last name word after
it, 93 times and another's 5 times ("4 light years" is no `speed_of_light`). Any name word after
a value is weaker evidence (120 own, 13 another's: "a Tennis player" is the sport, not the
player), so first words are not read there.

Which values can be cued: an enum value of the argument, a number for a number argument, and for
a free string a value the decoded call already gives some argument (a span the model chose; a cue
moves it, it never cuts a new one). Nothing here knows a language or a tool: the words are the
user's own argument names, and the order is the request's.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from core.schema import non_null

from .arguments import _admits, _is_number, _numeric, _plain, _times_written, _value_key
from .evidence import identifier_words
from .spans import bare
from .values import _LIST_MARKS, _allows, _form

__all__ = ["amount_unit", "cued_values", "in_written_order", "last_name_word", "name_words"]

_NUMBER = object()
"""Stands for "any number written there" among an argument's options."""


def name_words(name: str) -> frozenset[str]:
    """The first and last words of an argument's name, lower case (`toCurrency` -> to, currency)."""
    words = _words(name)
    return frozenset({words[0], words[-1]}) if words else frozenset()


def last_name_word(name: str) -> str | None:
    """The last word of an argument's name, lower case (`pickup_branch` -> branch)."""
    words = _words(name)
    return words[-1] if words else None


def _words(name: str) -> list[str]:
    return [w for w in identifier_words(name) if len(w) > 1]


def cued_values(arguments: dict[str, Any], schema: dict[str, Any], text: str) -> dict[str, Any]:
    """Per argument, the one value `text` writes right after a word of that argument's name alone,
    when the decoded `arguments` give it another value (or none); each such value is written once."""
    props = schema.get("properties") or {}
    plain, numeric = _plain(text), _numeric(text)  # strings as written; numbers also in words ("three nights")
    decoded = [v for v in arguments.values() if isinstance(v, str) and v.strip()]
    found: dict[str, list[Any]] = {}
    for key, prop in props.items():
        if not isinstance(prop, dict):
            continue
        node = non_null(prop, schema)
        last = last_name_word(key)
        for value in _options(node, decoded):
            where = numeric if value is _NUMBER or _is_number(value) else plain
            before = [rf"(?<![\w-]){re.escape(cue)}[ \t]+{_written(value)}" for cue in name_words(key)]
            apart = [rf"(?<![\w.-]){re.escape(cue)}[ \t]+[^\W\d_]+[ \t]+\$?{_written(value)}" for cue in name_words(key)] \
                if value is _NUMBER or _is_number(value) else []  # "a width of 7": a number one word after a name word
            after = [rf"(?<![\w.-]){_written(value)}[ \t]+{re.escape(last)}(?![\w-])"] if last else []
            for pattern in before + apart + after:
                for m in re.finditer(pattern, where, re.IGNORECASE):
                    if pattern in apart and re.search(r"\d", (where[:m.start()].split() or [""])[-1]):
                        continue  # "180 hits and 600": the name is the number's before it
                    number = _number(m.group("number"), node) if value is _NUMBER else None
                    if number is not None and not _admits(node, float(number)):
                        continue
                    if pattern in after and (_in_a_list(where, m.group().split()[0]) or _value_follows(where, m.end(), decoded)):
                        continue  # "for 2 and 5 nights": every item's; "a human gene 'BRCA1'": the gene is BRCA1
                    found.setdefault(key, []).append(value if number is None else number)
    owners: dict[Any, set[str]] = {}
    for key, values in found.items():
        for v in values:
            owners.setdefault(_value_key(v), set()).add(key)
    out: dict[str, Any] = {}
    for key, values in found.items():
        distinct = {_value_key(v): v for v in values}
        if len(distinct) != 1:
            continue
        (k, value), = distinct.items()
        if owners[k] == {key} and _times_written(value, plain) == 1 and _value_key(arguments.get(key)) != k:
            out[key] = value
    return out


def in_written_order(arguments: dict[str, Any], text: str, cued: Collection[str] = (), order: Sequence[str] = ()) -> dict[str, Any]:
    """The values of sibling arguments in the order `text` writes them, where the decoded
    `arguments` give them in another order; each value written once, no sibling `cued` otherwise.

    Siblings are numbered arguments (`number1`, `number2`: names that differ only in their digits),
    in the order of their numbers, and arguments whose names of two or more words end in the same
    word (`from_currency`, `to_currency`; `source_language`, `target_language`), in the schema's
    `order` (the decoded call's when not given; a grammar may put required ones first).

    On BFCL's answers (simple_python, multiple; values written once) numbered siblings take their
    values in the order written 28 times out of 28, same-last-word siblings 35 times out of 37
    ("How many ounces in 2 pounds": from_unit is the second). So where one sibling's value is
    written right after a number, the amount's unit, it goes first whatever the order: "how many
    millilitres is 3 cups" converts from cups (on BFCL, the two above; no other value moves)."""
    plain = _plain(text)
    out: dict[str, Any] = {}
    for keys in _siblings(list(arguments), order):
        values = [arguments[k] for k in keys]
        if any(k in cued for k in keys):
            continue  # "to USD" says where USD goes, whatever the order
        if len(keys) < 2 or not all(_scalar(v) for v in values):
            continue
        if len({_is_number(v) for v in values}) > 1 or len({_value_key(v) for v in values}) < len(values):
            continue  # one kind of value, each its own
        if not all(_times_written(v, plain) == 1 for v in values):
            continue
        ordered = sorted(values, key=lambda v: _position(v, plain))
        measured = [v for v in values if isinstance(v, str) and _after_number(v, plain)]
        if len(measured) == 1:  # the unit an amount is written in is the one it is converted from
            ordered = [*measured, *(v for v in ordered if v is not measured[0])]
        out.update({k: v for k, v, was in zip(keys, ordered, values) if _value_key(v) != _value_key(was)})
    return out


def _siblings(keys: Sequence[str], order: Sequence[str] = ()) -> list[list[str]]:
    """Groups of sibling arguments among `keys`, each in its order: numbered ones by their numbers,
    same-last-word ones in the schema's `order` (`keys`' own when not given)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    rank = {k: i for i, k in enumerate(order)}
    for at, key in enumerate(keys):
        digits = re.findall(r"\d+", key)
        words = _words(key)
        if digits:
            groups.setdefault(re.sub(r"\d+", "#", key), []).append((int(digits[-1]), key))
        elif len(words) >= 2:
            groups.setdefault(" " + words[-1], []).append((rank.get(key, len(rank) + at), key))
    return [[k for _, k in sorted(members)] for members in groups.values()]


def amount_unit(arguments: dict[str, Any], earlier: dict[str, Any], said: str, conversation: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A follow-up's call (its message `said`) of the function of an `earlier` call with an amount
    and two sibling arguments (`from_unit`, `to_unit`): the first sibling is the amount's unit.
    - Its message writes no number and names one new value: the amount stays, and so does its
      unit when the `conversation` wrote it right after the amount ("convert 250 grams to pounds"
      -> "and in ounces?": grams to ounces; the model gave ounces to pounds).
    - Its message writes the call's amount with a word right after it: that word is the unit
      ("Convert 100 USD to EUR" -> "and 250 GBP to EUR?": GBP; the model kept USD).
    The values to change; {} when none."""
    props = schema.get("properties") or {}
    amounts = [v for v in arguments.values() if _is_number(v)]
    if not amounts or not any(_is_number(v) for v in earlier.values()):
        return {}
    for first, second in (keys for keys in _siblings(list(arguments), list(props)) if len(keys) == 2):
        new, kept, unit = arguments.get(first), arguments.get(second), earlier.get(first)
        if not (isinstance(new, str) and isinstance(unit, str)):
            continue
        if not re.search(r"\d", said):
            if new != unit and kept == earlier.get(second) and _after_number(unit, conversation) \
                    and any(_inflected(w.lower(), new.lower()) for w in re.findall(r"[^\W\d_]+", said)):
                return {first: unit, second: new}
            continue
        taken = {str(v).lower() for v in arguments.values() if isinstance(v, str)}
        for word in (w for a in amounts for w in _words_after(a, said) if _form(w) == _form(unit)):  # "250 GBP", not "250 more"
            value = _admitted(word, non_null(props.get(first) or {}, schema))
            if value is not None and value.lower() not in taken:
                return {first: value}
    return {}


def _words_after(amount: Any, text: str) -> list[str]:
    """The words `text` writes right after the number `amount` ("250 GBP" -> GBP)."""
    return re.findall(rf"(?<![\d.]){_written(amount)}\s*([^\W\d_][\w-]*)", _numeric(_plain(text)))


def _admitted(word: str, prop: dict[str, Any]) -> str | None:
    """`word` as a value of a string argument: its choice so spelled (any case), a word its pattern
    allows, or the word itself; None when the argument does not take it."""
    if isinstance(prop.get("enum"), list):
        return next((v for v in prop["enum"] if isinstance(v, str) and v.lower() == word.lower()), None)
    if prop.get("type") not in (None, "string"):
        return None
    pattern = prop.get("pattern")
    return word if not isinstance(pattern, str) or _allows(pattern, word) else None


def _after_number(value: str, plain: str) -> bool:
    """Whether `plain` writes `value` right after a number, or a form of it two letters longer or
    shorter ("3 cups", "120 GBP", "2 pounds" for "pound", "1 cup" for "cups")."""
    mine = value.lower()
    return any(_inflected(w.lower(), mine) for w in re.findall(r"\d\s*([^\W\d_][\w-]*)", plain))


def _inflected(word: str, value: str) -> bool:
    """`word` is `value` or a form two letters longer or shorter. Not `choices`' rule, which reads
    only words of four or more letters in another form (a choice is named in running text, where
    "new" is no "news"): a unit is written right after a number, where "1 cup" is "cups"."""
    short, long = sorted((word, value), key=len)
    return long.startswith(short) and len(long) - len(short) <= 2 and len(short) >= 2


def _value_follows(text: str, at: int, values: list[str]) -> bool:
    """Whether `text` writes a number or one of `values` right after position `at` (quotes aside)."""
    rest = text[at:].lstrip(" \t\"'`")
    return bool(re.match(r"-?\d", rest)) or any(re.match(re.escape(v) + r"(?![\w-])", rest, re.IGNORECASE) for v in values)


def _in_a_list(text: str, value: str) -> bool:
    """Whether `text` writes `value` as a later item of a list: a word of its form (a number, a
    capitalised word, ...) right before it with a list mark ("2, 5"), or one word before that
    ("2 and 5", "Riverside or Hillcrest")."""
    words = text.split()
    form = _form(value)
    for i, word in enumerate(words):
        if bare(word).lower() != bare(value).lower():
            continue
        if i >= 1 and words[i - 1][-1:] in _LIST_MARKS and _form(words[i - 1]) == form:
            return True
        if i >= 2 and _form(words[i - 2]) == form and _form(words[i - 1]) != form:
            return True
    return False


def _options(node: dict[str, Any], decoded: list[str]) -> list[Any]:
    """The values an argument of schema `node` could be cued with: its enum values, the request's
    numbers for a number, the decoded call's strings for a free string."""
    kind = node.get("type")
    if isinstance(node.get("enum"), list):
        return [v for v in node["enum"] if isinstance(v, str) or _is_number(v)]
    if kind in ("integer", "number"):
        return [_NUMBER]
    if kind == "string":
        return decoded
    return []


def _written(value: Any) -> str:
    if value is _NUMBER:
        return r"(?P<number>-?\d+(?:\.\d+)?)(?!\w|\.\d)"
    if _is_number(value):
        forms = {str(value), str(int(value))} if float(value).is_integer() else {str(value)}
        return "(?:" + "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)) + r")(?!\w|\.\d)"
    return re.escape(str(value)) + r"(?![\w-])"


def _scalar(value: Any) -> bool:
    return _is_number(value) or (isinstance(value, str) and bool(value.strip()))


def _position(value: Any, plain: str) -> int:
    """Where `plain` writes `value` (once)."""
    if _is_number(value):
        found = re.search(rf"(?<![\d.]){_written(value)}", _numeric(plain))
    else:
        found = re.search(re.escape(value), plain, re.IGNORECASE)
    return found.start() if found else len(plain)


def _number(text: str, node: dict[str, Any]) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and node.get("type") == "integer" else value
