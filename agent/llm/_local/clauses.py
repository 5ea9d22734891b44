"""Clause decoding: free text in which every figure stands inside one of the given clauses, verbatim.

The request carries clauses computed from the data (`LLMRequest.clauses`: "P/E: JPM 11.22 vs BAC
7.89", "JPM's net margin is 31.37%"). The model writes its own words, and may at any word boundary
start writing a clause; a digit can only be written inside a clause being written, and once a
clause's first digit is written the rest of the clause is forced. So a figure is always preceded by
the words the data puts before it (its subject and measure), no figure stands in arithmetic the data
does not state, and each clause is written at most once (nor one whose figures were all written).

The text is tracked byte by byte as a set of live hypotheses (clause, bytes matched) started at word
boundaries. Choosing a token: the model's best token (after the same repeat control as free text,
and a boost for tokens continuing a clause already started) that keeps the text valid.

The answer's shape: the first sentence (the verdict) has no clause when `verdict_first` (off by
default: a small model that wants to open with a fact then writes filler around it); the text
ends at the model's end of text, or at a sentence end once `max_clauses` clauses are written, or
after two sentences in a row without a clause, or after `max_sentences` sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .constraints import Constraint
from .engine import Runner, _discourage_repeats, _pick

__all__ = ["ClauseConstraint", "clause_constraint"]

BOOST = 4.0
"""Added to the logit of the token that continues a clause already started (copying is likely)."""
OPEN_BOOST = 2.0
"""Added to the logit of a fact's first token where a sentence opens (copying a fact whole rather
than paraphrasing into a figure the rule then refuses)."""
LEAD_CLAUSES = 3
LEAD_BOOST = 2.0
"""The first `LEAD_CLAUSES` clauses of the request (the most relevant to the question) get this more."""
SENTENCE_END = frozenset(b".!?\n")
TOP = 64
VERDICT_BYTES = 240
"""A first sentence longer than this no longer holds clauses back."""


_MAGNITUDE = re.compile(rb"^\s?(?:%|(?:[TBMK]|(?i:trillion|billion|million|thousand|bn|mn|percent|per cent))(?:[^A-Za-z0-9_]|$))")
"""After a clause ending in a figure: a magnitude or unit would make it another figure ("207.30" + " B")."""


def _word(b: int) -> bool:
    return b >= 0x80 or chr(b).isalnum()


def _digit(b: int) -> bool:
    return 0x30 <= b <= 0x39


@dataclass(frozen=True, slots=True)
class _State:
    last: int = -1
    hyps: tuple[tuple[int, int], ...] = ()
    committed: bool = False
    after_clause: bool = False
    used: frozenset[int] = frozenset()
    figures: frozenset[bytes] = frozenset()
    sentences: int = 0
    sentence_bytes: int = 0
    clause_in_sentence: bool = False
    free_run: int = 0
    """Sentences in a row without a clause (after the verdict)."""
    ended_sentence: bool = False
    tail: bytes = b"\xff"
    """The text right after the last clause (b"\xff": none to watch) (a few bytes): it may not give the clause's figure a magnitude."""
    pending: bytes = b""
    """An unfinished UTF-8 character (its bytes so far)."""


class ClauseConstraint(Constraint):
    """Decoding constraint of clause answers (see the module docstring)."""

    def __init__(self, runner: Runner, clauses: list[str], *, repeat_penalty: float = 1.0, no_repeat_ngram: int = 0,
                 max_clauses: int = 5, max_sentences: int = 8, verdict_first: bool = False):
        self.runner = runner
        self.clauses = [c.strip().encode("utf-8") for c in clauses if c and c.strip()]
        self.clause_figures = [frozenset(re.findall(rb"\d[\d,.]*\d|\d", c)) for c in self.clauses]
        self.by_first: dict[int, list[int]] = {}
        for i, c in enumerate(self.clauses):
            self.by_first.setdefault(c[0], []).append(i)
        self.repeat_penalty = repeat_penalty
        self.no_repeat_ngram = no_repeat_ngram
        self.max_clauses = max_clauses
        self.max_sentences = max_sentences
        self.verdict_first = verdict_first
        self.state = _State()
        self.tokens: list[int] = []
        self._pieces: dict[int, bytes] = {}
        self._rests: dict[tuple[int, int], list[int]] = {}

    # -- the byte automaton -----------------------------------------------------------------
    def _startable(self, i: int, s: _State) -> bool:
        return i not in s.used and not (self.clause_figures[i] and self.clause_figures[i] <= s.figures)

    def advance(self, s: _State, data: bytes) -> _State | None:
        """The state after `data`, or None if `data` breaks the rule."""
        for b in data:
            if s.after_clause and (_word(b) or b == ord("%")):
                return None
            if s.pending or b >= 0x80:  # a character of another script: no digits, superscripts, fractions
                pending = s.pending + bytes([b])
                try:
                    if pending.decode("utf-8").isnumeric():
                        return None
                    s = replace(s, pending=b"")
                except UnicodeDecodeError:
                    if len(pending) >= 4:
                        return None
                    s = replace(s, pending=pending)
            if s.tail[:1] != b"\xff" and len(s.tail) < 12:
                tail = s.tail + bytes([b])
                if _MAGNITUDE.match(tail):
                    return None
                s = replace(s, tail=tail)
            hyps = [(i, k + 1) for i, k in s.hyps if self.clauses[i][k] == b]
            boundary = s.last < 0 or not _word(s.last)
            held = self.verdict_first and s.sentences == 0 and s.sentence_bytes < VERDICT_BYTES
            if boundary and not s.committed and not held:
                # a clause that opens with its figure names what it measures after it: only where a sentence starts
                opens = s.sentence_bytes == 0
                hyps += [(i, 1) for i in self.by_first.get(b, ()) if self._startable(i, s) and (opens or not _digit(b))]
            committed = s.committed or (_digit(b) and bool(hyps))
            if _digit(b) and not hyps:
                return None
            if committed and not hyps:
                return None
            done = next((i for i, k in hyps if k == len(self.clauses[i])), None)
            ended = b in SENTENCE_END and not committed and not (b == ord(".") and _digit(s.last))
            if done is not None:
                s = replace(s, last=b, hyps=(), committed=False, after_clause=True, used=s.used | {done},
                            figures=s.figures | self.clause_figures[done], clause_in_sentence=True,
                            sentence_bytes=s.sentence_bytes + 1, ended_sentence=False,
                            tail=b"" if _digit(b) else b"\xff")
                continue
            if ended and s.sentence_bytes > 0:
                free_run = 0 if s.clause_in_sentence or s.sentences == 0 else s.free_run + 1
                s = replace(s, last=b, hyps=(), committed=False, after_clause=False, sentences=s.sentences + 1,
                            sentence_bytes=0, clause_in_sentence=False, free_run=free_run, ended_sentence=True)
                continue
            grows = s.sentence_bytes + (0 if b in b" \n\t-*" and s.sentence_bytes == 0 else 1)  # a list marker opens a sentence
            s = replace(s, last=b, hyps=tuple(hyps), committed=committed, after_clause=False, sentence_bytes=grows,
                        ended_sentence=s.ended_sentence and b in b" \n\t")
        return s

    # -- Constraint ---------------------------------------------------------------------------
    def piece(self, token: int) -> bytes:
        p = self._pieces.get(token)
        if p is None:
            p = self._pieces[token] = self.runner.piece(token)
        return p

    def done(self) -> bool:
        s = self.state
        if not s.ended_sentence or s.committed:
            return False
        return len(s.used) >= self.max_clauses or s.free_run >= 2 or s.sentences >= self.max_sentences

    def _rest(self, i: int, k: int) -> list[int]:
        """Tokens writing the rest of clause i from byte k (verified to spell it)."""
        key = (i, k)
        if key not in self._rests:
            rest = self.clauses[i][k:]
            tokens = self.runner.tokenize(rest.decode("utf-8", "ignore"))
            if b"".join(self.piece(t) for t in tokens) != rest:
                tokens = []
            self._rests[key] = tokens
        return self._rests[key]

    def _opening(self, i: int, spaced: bool) -> list[int]:
        """Tokens writing clause i whole (after a space where the text before does not end in one)."""
        if not spaced:
            return self._rest(i, 0)
        key = (i, -1)
        if key not in self._rests:
            tokens = self.runner.tokenize(" " + self.clauses[i].decode("utf-8", "ignore"))
            self._rests[key] = tokens if b"".join(self.piece(t) for t in tokens) == b" " + self.clauses[i] else []
        return self._rests[key]

    def forced(self) -> list[int]:
        s = self.state
        if not s.committed or not s.hyps:
            return []
        rests = {tuple(self._rest(i, k)) for i, k in s.hyps}
        return list(next(iter(rests))) if len(rests) == 1 else []

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng: Any) -> int:
        s = self.state
        if s.committed:  # inside a clause after its first digit: its rest is the only way on
            rest = self.forced()
            if rest:
                return rest[0]
        raw = logits
        if self.repeat_penalty != 1.0 or self.no_repeat_ngram:
            logits = _discourage_repeats(logits, self.tokens, self.repeat_penalty, self.no_repeat_ngram)
        else:
            logits = np.array(logits, dtype=np.float32, copy=True)
        for i, k in s.hyps[:8]:  # continuing a clause is likely: the repeat ban does not apply
            rest = self._rest(i, k)
            if rest:
                logits[rest[0]] = max(float(logits[rest[0]]), float(raw[rest[0]])) + BOOST
        if s.sentence_bytes == 0 and not s.hyps:  # a sentence may open with a fact, copied whole
            spaced = s.last >= 0 and s.last not in b" \n\t"
            for i in range(len(self.clauses)):
                rest = self._opening(i, spaced) if self._startable(i, s) else []
                if rest:  # the request lists the clauses the question asks about first
                    boost = OPEN_BOOST + (LEAD_BOOST if i < LEAD_CLAUSES else 0.0)
                    logits[rest[0]] = max(float(logits[rest[0]]), float(raw[rest[0]]) + boost)
        best = np.argpartition(-logits, TOP)[:TOP]
        order = best[np.argsort(-logits[best])]
        if temperature > 0:
            top = [int(t) for t in order if self._allowed(int(t))]
            if top:
                masked = np.full_like(logits, -np.inf)
                masked[top] = logits[top]
                return _pick(masked, temperature, rng)
        for t in order:
            if self._allowed(int(t)):
                return int(t)
        for t in np.argsort(-logits):  # rare: none of the best tokens fits
            if self._allowed(int(t)):
                return int(t)
        return int(runner.eos)

    def _allowed(self, token: int) -> bool:
        if self.runner.is_eog(token):
            s = self.state
            return not s.committed and not _MAGNITUDE.match(s.tail + b" ")
        data = self.piece(token)
        if not data or (max(data) >= 0x80 and any(c.isnumeric() for c in data.decode("utf-8", "ignore"))):
            return False  # other scripts' digits, superscripts and fractions would be figures outside a clause
        return self.advance(self.state, data) is not None

    def accept(self, tokens: list[int]) -> None:
        for t in tokens:
            if self.runner.is_eog(t):
                continue
            nxt = self.advance(self.state, self.piece(t))
            if nxt is None:
                raise ValueError("a token outside the clause rule was accepted")
            self.state = nxt
        self.tokens.extend(tokens)


def clause_constraint(runner: Runner, clauses: list[str], **options: Any) -> ClauseConstraint:
    """A fresh constraint letting the model write figures only inside `clauses`."""
    return ClauseConstraint(runner, clauses, **options)
