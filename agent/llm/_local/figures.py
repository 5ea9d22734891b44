"""Figures-only decoding: free text in which every number is one of the allowed figures.

The analysis text is decoded under a Lark grammar (llguidance) of alternating text and figures:

    start: LEAD? (FIG TEXT)* FIG?
    LEAD:  /[^0-9]*[^0-9.,]/        any text without a digit, not ending in "." or ","
    TEXT:  the same, starting with a non-word character and not with a magnitude ("1.10" + " billion"
           or "1.29T" + "RB" would read as other figures)
    FIG:   "398.15B" | "11.22" | ...  one of the allowed figures, exactly

So a digit can only be written as part of an allowed figure, two figures never touch, and no
figure can be glued to another by a decimal point or a thousands comma ("1" "." "5"). Signs and
currency symbols are text ("-" and "$" before a figure). Text may end in "." or ",": the model's
end of text is accepted whenever the text so far is complete (no figure half written), even where
the grammar would want one more character.

Free text from a small greedy model loops, so the same repeat penalty and n-gram ban as for
unconstrained text apply before the grammar's mask.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from . import grammar as G
from .constraints import LLGuidanceConstraint
from .engine import Runner, _discourage_repeats, _pick

TEXT_REGEX = r"[^0-9]*[^0-9.,]"
AFTER_FIGURE_REGEX = r"[^0-9A-Za-z_][^0-9]*[^0-9.,]|[^0-9A-Za-z_.,]"
"""Text right after a figure starts with a non-word character: "1.29T" + "oted" would read as "1"."""
SCALE_WORDS = r"/\s?(?i:trillion|billion|million|thousand|bn|mn)([^A-Za-z0-9_](?s:.*))?/ | /\s?[TBMK]([^A-Za-z0-9_](?s:.*))?/"
"""Text that would turn the figure before it into another magnitude ("1.10" + " billion"): not
allowed right after a figure (the checker reads a magnitude the same way, `agent.figures`)."""

__all__ = ["figures_lark", "FiguresConstraint", "figures_constraint"]


def figures_lark(figures: list[str]) -> str:
    """The Lark grammar of text whose numbers are all among `figures` (each starting with a digit)."""
    figs = sorted({f for f in figures if f and f[0].isdigit() and "\n" not in f})
    if not figs:
        return f"start: TEXT?\nTEXT: /{TEXT_REGEX}/\n"
    alternatives = " | ".join(json.dumps(f) for f in figs)
    return (f"start: LEAD? (FIG TEXT)* FIG?\nLEAD: /{TEXT_REGEX}/\nTEXT: /{AFTER_FIGURE_REGEX}/ & ~({SCALE_WORDS})\n"
            f"FIG: {alternatives}\n")


_matchers = G.MatcherCache(64)


def _matcher(llama: Any, lark: str) -> Any:
    from llguidance import LLMatcher

    def compile() -> Any:
        matcher = LLMatcher(G.llg_tokenizer(llama), LLMatcher.grammar_from_lark(lark), log_level=0)
        if matcher.is_error():
            raise ValueError(f"llguidance cannot compile the figures grammar: {matcher.get_error()}")
        return matcher

    return _matchers.get((id(llama), lark), compile)


class FiguresConstraint(LLGuidanceConstraint):
    """The figures grammar as a decoding constraint, with repeat control for free text."""

    def __init__(self, matcher: Any, runner: Runner, repeat_penalty: float = 1.0, no_repeat_ngram: int = 0):
        super().__init__(matcher, runner.n_vocab)
        self.repeat_penalty = repeat_penalty
        self.no_repeat_ngram = no_repeat_ngram
        self.tokens: list[int] = []
        self._space = runner.tokenize(" ")

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng) -> int:
        from llguidance.numpy import fill_next_token_bitmask

        raw = logits
        if self.repeat_penalty != 1.0 or self.no_repeat_ngram:
            logits = _discourage_repeats(logits, self.tokens, self.repeat_penalty, self.no_repeat_ngram)
        best = int(np.argmax(logits))
        if runner.is_eog(best) and self._complete():
            return best
        fill_next_token_bitmask(self.matcher, self.mask)
        allowed = self._allowed()
        masked = np.where(allowed, logits, -np.inf)
        if not np.isfinite(masked).any():  # the repeat ban left nothing the grammar allows
            masked = np.where(allowed, raw, -np.inf)
        if temperature <= 0:
            return int(np.argmax(masked))
        return _pick(masked, temperature, rng)

    def _complete(self) -> bool:
        """The text so far can end here: no figure is half written (one more space would be valid)."""
        if self.matcher.is_accepting():
            return True
        probe = self.matcher.deep_copy()
        return all(probe.consume_token(t) for t in self._space) and probe.is_accepting()

    def accept(self, tokens: list[int]) -> None:
        super().accept(tokens)
        self.tokens.extend(tokens)


def figures_constraint(llama: Any, runner: Runner, figures: list[str], *, repeat_penalty: float = 1.0,
                       no_repeat_ngram: int = 0) -> FiguresConstraint:
    """A fresh constraint letting the model write numbers only from `figures`."""
    return FiguresConstraint(_matcher(llama, figures_lark(figures)), runner, repeat_penalty, no_repeat_ngram)
