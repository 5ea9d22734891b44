"""Evidence for routing from the tools' own text: how close a request is to each tool's
description and to the example requests its author wrote.

Each option (a tool, or the "answer in text" pseudo-option) has documents: its name as words, its
description, and each example request. Texts become TF-IDF vectors of word prefixes (the first
`PREFIX` characters of each word, so "analyse"/"analysis"/"analyze" meet without a stemmer for any
one language) and of adjacent prefix pairs; IDF is computed over all the documents offered, so
words every tool shares weigh nothing. An option's similarity to a request is its best document's
cosine. Nothing here knows a tool: a user's orchestration with examples gets the same treatment.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ExampleIndex", "split_examples", "EXAMPLES_HEADER", "asking_words", "identifier_words", "names_said", "words_of"]

EXAMPLES_HEADER = "Example requests:"
"""Same header as `tools.describe_with_examples` writes (the format the driver sends every backend)."""
PREFIX = 5
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
RARE_SHARE = 0.1
"""In a part of a request (`intents.py`), a word fewer than this share of the documents have
weighs as one that share has: in a few words, one word only one example has (the event it names:
"a 30 min call", "the offsite") would decide the part alone."""


def split_examples(description: str) -> tuple[str, list[str]]:
    """(description without its examples, the examples) of a description written by
    `tools.describe_with_examples`; a description without the header has no examples."""
    text = description or ""
    head, sep, tail = text.partition("\n" + EXAMPLES_HEADER + "\n")
    if not sep:
        return text, []
    examples = [line[2:].strip() for line in tail.splitlines() if line.startswith("- ") and line[2:].strip()]
    return head.rstrip(), examples


def features(text: str, keep: frozenset[str] = frozenset()) -> Counter:
    """Word-prefix unigrams and bigrams of `text` (lower case), without names: a capitalised word
    other than the first (tickers, companies, people) says which entity, not which tool, unless
    it is one of the words in `keep` (the tools' own names and descriptions say "Walmart", "Battle").
    The words around a name left out make a pair: it marks where a value goes ("Compare _ and _").
    Measured offline (no model) against pairing only words written side by side: finance dev 16 ->
    15 of 20 functions right, calendar 36 -> 34 of 45, music 36 -> 37 of 40."""
    found = _WORD.findall(text)
    words = [w.lower()[:PREFIX] for i, w in enumerate(found) if i == 0 or not w[:1].isupper() or w.lower() in keep]
    out = Counter(words)
    out.update(a + " " + b for a, b in zip(words, words[1:]))  # a pair across a name left out marks its slot ("compar and")
    return out


def words_of(texts: Sequence[str]) -> frozenset[str]:
    """The words (lower case) of `texts`."""
    return frozenset(w.lower() for t in texts for w in _WORD.findall(t or ""))


def names_said(names: Sequence[str], text: str, asking: Sequence[frozenset[str]] = ()) -> np.ndarray:
    """Per function name: 1.0 when `text` says a word of it (3+ letters) that no other name has
    ("renew" for `renew_loan` beside `list_loans`), or one of its `asking` words (`asking_words`),
    else 0.0. A word of the text says a name word when it starts with the name word's first
    `NAME_PREFIX` letters ("loan" -> "loans", "compar" -> "compare"; "company" says no "comparative")."""
    own = [_name_words(n) for n in names]
    said = {w.lower() for w in _WORD.findall(text or "") if not w.isdigit()}
    out = np.zeros(len(names))
    for i, words in enumerate(own):
        others = set().union(*own[:i], *own[i + 1:])
        out[i] = float(any(w.startswith(n[:NAME_PREFIX]) for n in words - others for w in said)
                       or bool(i < len(asking) and asking[i] & said))
    return out


def asking_words(tools: Sequence[tuple[str, str]]) -> list[frozenset[str]]:
    """Per tool (name, description with its examples): the words that ask for it as its name does:
    a word one of its example requests opens with that its description or name also writes, and
    that no other tool's example requests open with or name has. "Move my dentist appointment to
    Thursday" and "Move an existing calendar event ..." give `reschedule_event` "move": "actually,
    move it to 6pm" after an event was created asks to move it, not to create another."""
    opening, defining, named = [], [], []
    for name, text in tools:
        description, examples = split_examples(text)
        opening.append({w.lower() for e in examples for w in _WORD.findall(e)[:1]})
        named.append(set(identifier_words(name)))
        defining.append({w.lower() for w in _WORD.findall(description)} | named[-1])
    out = []
    for i in range(len(tools)):
        others = set().union(*(opening[j] | named[j] for j in range(len(tools)) if j != i))
        out.append(frozenset(opening[i] & defining[i] - others))
    return out


NAME_PREFIX = 6


def _name_words(name: str) -> set[str]:
    return {w for w in identifier_words(name) if len(w) >= 3}


def identifier_words(name: str) -> list[str]:
    """The words of an identifier, lower case, in order: split at case changes, `_`, `-`, `.` and
    digits (`calc_Compound_Interest` -> calc, compound, interest; `toCurrency` -> to, currency)."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [w.lower() for w in re.split(r"[\W_\d]+", spaced) if w]


@dataclass
class _Doc:
    option: int
    vector: dict[str, float]


class ExampleIndex:
    """TF-IDF over the options' documents; `similarities(text)` gives each option's best cosine."""

    def __init__(self, documents: Sequence[Sequence[str]], keep: frozenset[str] = frozenset()):
        """`documents[i]`: the texts of option i (name, description, examples; any may be empty);
        `keep`: capitalised words that count (the words of the tools' names and descriptions)."""
        self.n_options = len(documents)
        self.keep = keep
        counted = [(i, features(t, keep)) for i, texts in enumerate(documents) for t in texts if t and t.strip()]
        df: Counter = Counter()
        for _, f in counted:
            df.update(f.keys())
        n = max(len(counted), 1)
        self.unseen_idf = math.log(1 + n)
        self.idf = {k: math.log((1 + n) / (1 + v)) for k, v in df.items()}
        self.part_idf = math.log((1 + n) / (1 + max(1.0, RARE_SHARE * n)))
        """The most a word of a part that some document has weighs (`RARE_SHARE`)."""
        self.docs = [_Doc(i, self._vector(f)) for i, f in counted]

    def _vector(self, counts: Counter, most: float = math.inf) -> dict[str, float]:
        # a feature no document has is as rare as can be: it counts in the request's norm (what the
        # request asks that no tool mentions weakens every match), though it matches nothing
        vec = {k: (1 + math.log(c)) * (min(self.idf[k], most) if k in self.idf else self.unseen_idf) for k, c in counts.items()}
        vec = {k: v for k, v in vec.items() if v > 0}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items()}

    def vector(self, text: str, drop: set[str] | None = None, part: bool = False) -> dict[str, float]:
        counts = features(text, self.keep)
        if drop:
            counts = Counter({k: c for k, c in counts.items() if k not in drop})
        return self._vector(counts, self.part_idf if part else math.inf)

    def similarities(self, text: str, drop: set[str] | None = None, exclude_doc: int | None = None, part: bool = False) -> np.ndarray:
        """Per option, the best cosine between `text` and one of its documents (0 if it has none);
        `part`: `text` is a part of a request, its rare words weigh at most `part_idf`."""
        q = self.vector(text, drop, part)
        out = np.zeros(self.n_options)
        for j, doc in enumerate(self.docs):
            if j == exclude_doc:
                continue
            small, large = (q, doc.vector) if len(q) < len(doc.vector) else (doc.vector, q)
            cos = sum(v * large.get(k, 0.0) for k, v in small.items())
            out[doc.option] = max(out[doc.option], cos)
        return out

    def explained(self, text: str, option: int) -> set[str]:
        """The features of `text` that option's documents share (what a call to it accounts for)."""
        mine = set(features(text, self.keep))
        seen: set[str] = set()
        for doc in self.docs:
            if doc.option == option:
                seen |= mine & doc.vector.keys()
        return seen
