"""What a span of the conversation may not be (`spans.py` builds the patterns): the rules travel
together, so a pattern made again without some words keeps them."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["NO_RULES", "SpanRules"]


@dataclass(frozen=True)
class SpanRules:
    """What a span may not be, beyond being a run of the conversation's words."""

    not_first: frozenset[str] = frozenset()
    """Words (lower case) that start no span: the catalog's opening words."""
    not_alone: frozenset[str] = frozenset()
    """Words (lower case) a span is not made of only: the catalog's name words, the model's most
    frequent words."""
    not_last: frozenset[str] = frozenset()
    """Words (as written) a span of two or more words does not end with, unless the text ends a
    clause there: the model's most frequent words."""
    values: frozenset[str] = frozenset()
    """Lines (earlier calls' values, `call_values`) that keep every run."""
    not_end: frozenset[str] = frozenset()
    """Words (lower case) a span of two or more words never ends with: other arguments' choices
    ("Wednesday afternoon" is no date beside a part of the day that can be "afternoon")."""
    whole_names: bool = False
    """No span starts or ends inside a name: a run of capitalised words where no sentence starts
    and no punctuation parts them ("Play Here Comes the Sun" has no span "Comes the Sun", "save
    Take Five to my Road Trip playlist" none "Five" or "Trip"); words in capitals (codes, tickers)
    are no part of one. Nor does one start at a lower-case word between two names ("the Sun")."""
    not_first_lower: frozenset[str] = frozenset()
    """Words (lower case) that start no span where written in lower case: the catalog's name words
    ("shuffle my Focus playlist" has no span "shuffle my Focus" beside a `shuffle` flag; "Hotel
    Paradise" stays a name). On BFCL's answers no stated value of two or more words starts with a
    lower-case name word (0 of 244; 4 start with a capitalised one)."""
    items: bool = False
    """A span is one item of a list: no word of `not_last` stands inside it but between two names
    ("add olive oil and garlic" has the items "olive oil" and "garlic"; "Pride and Prejudice" is
    one). On BFCL's answers no stated list item has such a word inside (0 of 151)."""

    def __or__(self, other: SpanRules) -> SpanRules:
        return SpanRules(self.not_first | other.not_first, self.not_alone | other.not_alone,
                         self.not_last | other.not_last, self.values | other.values, self.not_end | other.not_end,
                         self.whole_names or other.whole_names, self.not_first_lower | other.not_first_lower, self.items or other.items)


NO_RULES = SpanRules()
"""No rule: every run of words is a span."""
