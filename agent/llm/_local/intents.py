"""Several intents in one request: a split of the request into two parts, each asking for its own function.

A request that asks for two things ("find a hotel in Athens for 3 nights and tell me the weather
there") reads, part by part, like two different functions' examples. `best_split` tries every
word boundary that leaves both parts at least `MIN_PART_WORDS` words, measures each part on its
own (`ExampleIndex.similarities`: the same evidence as the whole request), and keeps the boundary
where the two parts' best functions differ and each clears the other one in its part by the most.
A lead counts in proportion to the part's share of the request's words (names left out, as the
evidence leaves them out): a few words that happen to echo another function's example ("How much
is ...") weigh little beside the rest of the request. In a part, a word that few of the tools'
documents have weighs no more than one a tenth of them have (`evidence.RARE_SHARE`): "I need a 90
minute | slot tomorrow morning, anything open?" read "a 90 minute" as the example "Book a 30
minute call", a second intent. A boundary after a punctuation mark ends a
clause ("Check if Dune is in at Central, | and what time does Central close"): there each part's
lead counts in full, as a clause is a request of its own.

Whether a split is real is decided by `split_threshold`, calibrated on the authors' own examples,
which each ask for one function: each example is split the same way against the other documents
(its own left out), and the threshold is set just above the scores of all but a `FALSE_SPLIT_RATE`
share of them. Nothing here knows a tool or a language: words are whitespace-separated tokens and
the evidence is the tools' own text (a language written without spaces is not split, as it gets
one window).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .evidence import _WORD, ExampleIndex

__all__ = ["FALSE_SPLIT_RATE", "MIN_PART_WORDS", "MIN_SPLIT_SCORE", "MIN_SPLIT_WORDS", "Split", "best_split", "splits", "split_threshold", "strongest"]

MIN_PART_WORDS = 3
"""Each part has at least this many words (one or two words echo anything)."""
MIN_SPLIT_WORDS = 9
"""Only a request of at least this many words is split (a shorter one is one window: one intent)."""
FALSE_SPLIT_RATE = 0.05
"""The share of the authors' single-intent examples the calibrated threshold may still split."""
MIN_SPLIT_SCORE = 0.05
"""The threshold is never below this (a near tie is not two intents), nor is it when no example can be split."""


CLAUSE_MARKS = ",;:.?!"
"""A part that ends with one of these ends a clause: a split there is not weighed by the parts' shares."""


@dataclass(frozen=True)
class Split:
    """The request read as two parts: `first` asked in words[:at], `second` in words[at:]."""

    score: float
    """min over the parts of (the part's function's lead over the other function in that part) x
    (the part's share of the request's words, names left out; 1 when the first part ends a clause).
    The "answer in text" option is not weighed in a part: a part of a request for a function is no
    chit-chat, and its pleasantries ("and tell me the weather there") echo the text examples."""
    first: int
    second: int
    at: int
    """The word index where the second part starts."""


Boost = Callable[[str], np.ndarray]
"""Per function, what a part's own words add to its similarity (the policy's other evidence: a
function it names, the values it states)."""


def best_split(index: ExampleIndex, n: int, text: str, exclude_doc: int | None = None, boost: Boost | None = None) -> Split | None:
    """The split of `text` whose two parts most clearly ask for two different functions (options
    0..n-1 of `index`; option n is the "answer in text" option), or None when no boundary gives two
    parts with different best functions."""
    return strongest(splits(index, n, text, exclude_doc, boost))


def strongest(found: Sequence[Split]) -> Split | None:
    """The best-scoring of `found` splits, or None when there are none."""
    return max(found, key=lambda s: s.score, default=None)


def splits(index: ExampleIndex, n: int, text: str, exclude_doc: int | None = None, boost: Boost | None = None) -> list[Split]:
    """Every boundary of `text` whose two parts have different best functions, with its score;
    `boost(part)` adds the rest of the evidence to each part's similarities."""
    words = text.split()
    if len(words) < max(MIN_SPLIT_WORDS, 2 * MIN_PART_WORDS):
        return []
    counts = [_weight(w, index.keep) if i else 1 for i, w in enumerate(words)]
    total = sum(counts) or 1
    out: list[Split] = []
    for at in range(MIN_PART_WORDS, len(words) - MIN_PART_WORDS + 1):
        left = _measured(index, n, " ".join(words[:at]), exclude_doc, boost)
        right = _measured(index, n, " ".join(words[at:]), exclude_doc, boost)
        a, b = int(np.argmax(left[:n])), int(np.argmax(right[:n]))
        if a == b:
            continue
        share = sum(counts[:at]) / total
        weights = (1.0, 1.0) if words[at - 1][-1:] in CLAUSE_MARKS else (share, 1 - share)
        score = min(weights[0] * (left[a] - left[b]), weights[1] * (right[b] - right[a]))
        out.append(Split(float(score), a, b, at))
    return out


def _measured(index: ExampleIndex, n: int, part: str, exclude_doc: int | None, boost: Boost | None) -> np.ndarray:
    sims = index.similarities(part, exclude_doc=exclude_doc, part=True)
    if boost is not None:
        sims[:n] += boost(part)
    return sims


def _weight(word: str, keep: frozenset[str]) -> int:
    """1 for a word the evidence reads (`evidence.features`: not a name, unless the tools' own
    text has it), 0 for a name (a city, a company: it says which entity, not which function)."""
    found = _WORD.findall(word)
    return int(bool(found) and any(not w[:1].isupper() or w.lower() in keep for w in found))


def split_threshold(scores: Sequence[float], examples: int, rate: float = FALSE_SPLIT_RATE) -> float:
    """Just above the split scores of the authors' examples but the top `rate` share of `examples`
    (the number of examples, split or not): at most that share of single-intent requests written
    like the examples would be split; never below MIN_SPLIT_SCORE."""
    ranked = sorted(scores, reverse=True)
    allowed = math.floor(rate * examples)
    if allowed >= len(ranked):
        return MIN_SPLIT_SCORE
    return max(ranked[allowed] + 1e-6, MIN_SPLIT_SCORE)
