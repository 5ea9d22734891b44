"""Composed answers: sentences made of the given clauses, each opened by nothing or by a connective.

The request carries clauses computed from the data (`LLMRequest.clauses`, the most relevant first;
the first `LLMRequest.verdicts` of them are verdicts) and the words that may join them
(`LLMRequest.connectives`: "However,", "Also,", ...). The answer is a sequence of sentences:

    sentences 1..v:  the v verdict clauses, in the order the model picks (or any one clause when
                     there is no verdict), each then "."
    sentence n:      [a connective not yet written] a clause not yet written, then "."
    end:         after `min_clauses` sentences, wherever the model ends its text; at `max_clauses`,
                 or where no clause fits the request's token cap (none is ever cut).

The model makes every choice (which clause, in what order, which connective, where to stop) by its
own probability of the choice's first tokens; a clause's rest is then forced (one batched
evaluation). So no figure is ever attached to another label or written twice, and no sentence is
filler: a small model's free words between facts ("The Financials and JPM has ...") were the part
of clause answers that read worst. After a connective, a clause whose first word is an ordinary word
("The index ...") is lowercased; a word the clauses or the question write capitalised mid-sentence
(a name) is kept. A clause that would make the answer write the same four words (figures left out)
a third time is not offered: clauses of one template ("KO ranks 1 of 6 on ... among its peers")
read as a loop after two.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np

from .constraints import Constraint
from .engine import Runner, _pick

__all__ = ["ComposedConstraint", "LEAD_BOOST"]

LEAD_BOOST = 2.0
"""Added to the first-token logit of the `lead` most relevant clauses (the question's own first)."""
_WORD = re.compile(r"[A-Za-z][\w'&/-]*")
GRAM = 4
"""Words per n-gram of the repetition rule (figures left out); an n-gram may be written twice."""


def _grams(text: str) -> list[tuple[str, ...]]:
    words = [w for w in re.findall(r"[a-z0-9']+", text.lower()) if not any(c.isdigit() for c in w)]
    return [tuple(words[i:i + GRAM]) for i in range(len(words) - GRAM + 1)]


def _names(texts: list[str]) -> set[str]:
    """Capitalised words written mid-sentence: names, kept capitalised after a connective."""
    names: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:;])\s+", text):
            words = _WORD.findall(sentence)
            names.update(w for w in words[1:] if w[:1].isupper())
    return names


def _after_connective(clause: str, names: set[str]) -> str:
    first = _WORD.match(clause)
    if first is None:
        return clause
    word = first.group(0)
    ordinary = word[:1].isupper() and word[1:].islower() and word not in names
    return clause[0].lower() + clause[1:] if ordinary else clause


class ComposedConstraint(Constraint):
    """Decoding constraint of composed answers (see the module docstring)."""

    def __init__(self, runner: Runner, clauses: list[str], connectives: list[str], *, verdicts: int = 0,
                 context: str = "", min_clauses: int = 2, max_clauses: int = 5, lead: int = 3, budget: int | None = None):
        self.runner = runner
        self.clauses = [c.strip().rstrip(".").strip() for c in clauses if c and c.strip()]
        self.verdicts = min(verdicts, len(self.clauses))
        self.min_clauses = min(min_clauses, len(self.clauses))
        self.max_clauses = max_clauses
        self.lead = lead
        names = _names(self.clauses + [context])
        tok = runner.tokenize
        self._opening = [tok(c + ".") for c in self.clauses]
        self._next = [tok(" " + c + ".") for c in self.clauses]
        self._joined = [tok(" " + _after_connective(c, names) + ".") for c in self.clauses]
        self._connectives = [tok(" " + w.strip()) for w in connectives if w.strip()]
        self._clause_grams = [Counter(_grams(c)) for c in self.clauses]
        self.grams: Counter[tuple[str, ...]] = Counter()
        """The n-grams of the clauses written."""
        self.used: list[int] = []
        self.joined: set[int] = set()
        """The connectives written."""
        self.after_connective = False
        self.live: list[tuple[str, int, list[int]]] = []
        """The options still matching what was written since the sentence began: (kind, index, tokens)."""
        self.k = 0
        self.ended = False
        self.budget = budget
        """Tokens the answer may take (the request's cap): a clause that would not fit is not started."""
        self.written = 0

    # -- options --------------------------------------------------------------------------
    def _repeats(self, i: int) -> bool:
        return any(self.grams[g] + n >= 3 for g, n in self._clause_grams[i].items())

    def _fits(self, tokens: list[int]) -> bool:
        return self.budget is None or self.written + len(tokens) <= self.budget

    def _options(self) -> list[tuple[str, int, list[int]]]:
        free = [i for i in range(len(self.clauses)) if i not in self.used and not self._repeats(i)]
        after = min((len(self._joined[i]) for i in free), default=0)  # a connective needs a clause after it
        return [o for o in self._all_options(free) if self._fits(o[2] + [0] * (after if o[0] == "connective" else 0))]

    def _all_options(self, free: list[int]) -> list[tuple[str, int, list[int]]]:
        if not self.used:
            first = list(range(self.verdicts)) or free
            return [("clause", i, self._opening[i]) for i in first if self._opening[i]]
        verdicts = [i for i in free if i < self.verdicts]
        if verdicts:  # every verdict before any other fact
            return [("clause", i, self._next[i]) for i in verdicts if self._next[i]]
        if self.after_connective:
            return [("clause", i, self._joined[i]) for i in free if self._joined[i]]
        options = [("clause", i, self._next[i]) for i in free if self._next[i]]
        if free:  # each connective once: "In addition, ... In addition, ..." reads as a loop
            options += [("connective", j, t) for j, t in enumerate(self._connectives) if t and j not in self.joined]
        return options

    def _may_end(self) -> bool:
        return not self.live and not self.after_connective and len(self.used) >= self.min_clauses

    def _start(self) -> None:
        if not self.live:
            self.live = self._options()
            self.k = 0

    # -- Constraint -----------------------------------------------------------------------
    def done(self) -> bool:
        if self.live or self.after_connective:
            return False
        return self.ended or len(self.used) >= self.max_clauses or not self._options()

    def forced(self) -> list[int]:
        self._start()
        rests = {tuple(t[self.k:]) for _, _, t in self.live}
        if len(rests) == 1 and (self.k > 0 or not self._may_end()):
            return list(next(iter(rests)))
        return []

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng: Any) -> int:
        self._start()
        allowed: dict[int, float] = {}
        for kind, i, tokens in self.live:
            t = tokens[self.k]
            boost = LEAD_BOOST if kind == "clause" and self.k == 0 and i < self.lead else 0.0
            allowed[t] = max(allowed.get(t, -np.inf), float(logits[t]) + boost)
        if self._may_end():
            for t in runner.eog_ids():
                allowed[t] = float(logits[t])
        if not allowed:
            return int(runner.eos)
        ids = np.fromiter(allowed, dtype=np.int64)
        scores = np.fromiter(allowed.values(), dtype=np.float64)
        if temperature > 0:
            masked = np.full(len(logits), -np.inf, dtype=np.float32)
            masked[ids] = scores
            return _pick(masked, temperature, rng)
        return int(ids[int(np.argmax(scores))])

    def accept(self, tokens: list[int]) -> None:
        for t in tokens:
            if self.runner.is_eog(t):
                self.ended = True
                continue
            self._start()
            self.written += 1
            live = [o for o in self.live if o[2][self.k] == t]
            if not live:
                raise ValueError("a token outside the composed answer was accepted")
            self.k += 1
            finished = next((o for o in live if len(o[2]) == self.k), None)
            if finished is None:
                self.live = live
                continue
            kind, i, _ = finished
            if kind == "clause":
                self.used.append(i)
                self.grams.update(self._clause_grams[i])
                self.after_connective = False
            else:
                self.joined.add(i)
                self.after_connective = True
            self.live, self.k = [], 0
