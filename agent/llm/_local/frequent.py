"""The model's most frequent words: those its tokenizer writes as one of its first tokens.

A byte-pair vocabulary lists its tokens in the order they were merged, the most frequent first
(SentencePiece vocabularies by score, much the same), so a word the tokenizer writes as one token
among its first `FREQUENT_RANK` is one of the most frequent words of the model's training text:
"the", "at", "for", "on", "with" for SmolLM2, not "yoga", "review" or "Friday". Such a word joins
a value to what follows ("June 18 at 1pm"); it does not end one (`spans.SpanRules.not_last`).

Nothing here knows a language: the ranks are the model's own.
"""

from __future__ import annotations

import weakref

from .engine import Runner
from .spans import bare

__all__ = ["FREQUENT_RANK", "frequent_words"]

FREQUENT_RANK = 500
"""A word written as one token below this rank (with its leading space) is a frequent word."""

_SEEN: weakref.WeakKeyDictionary[Runner, dict[str, bool]] = weakref.WeakKeyDictionary()


def frequent_words(runner: Runner, text: str) -> frozenset[str]:
    """The words of `text` written in small letters (without the punctuation around them) that
    the model's tokenizer writes as one token of rank below `FREQUENT_RANK`."""
    seen = _SEEN.setdefault(runner, {})
    out = set()
    for word in {bare(w) for w in text.split()}:
        if not (word.isalpha() and word.islower()):
            continue
        if word not in seen:
            tokens = runner.tokenize(" " + word)
            seen[word] = len(tokens) == 1 and tokens[0] < FREQUENT_RANK
        if seen[word]:
            out.add(word)
    return frozenset(out)
