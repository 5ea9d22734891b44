"""The lazy grammar of a native tool format: free text until the model opens a call.

A model whose chat template declares tools chooses between text and a call by what it writes. The
text is free; once it writes the template's call start (`CallFormat.trigger`), the rest is a valid
call: the function is one of those offered (the model's most likely, scored as options) and its
arguments are decoded under the grammar of its schema. Text that could still become the trigger is
held back from the stream until it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .engine import Runner, _pick

__all__ = ["LazyOutcome", "text_or_trigger"]


@dataclass
class LazyOutcome:
    text: str
    """The free text written (before the trigger, if any)."""
    triggered: bool
    tokens: int
    finish_reason: str = "stop"
    context: list[int] | None = None
    """On the trigger: the context's tokens before it (the prompt and the text)."""


def text_or_trigger(runner: Runner, max_tokens: int, trigger: str, temperature: float = 0.0,
                    rng: np.random.Generator | None = None, on_text: Callable[[str], None] | None = None) -> LazyOutcome:
    """Free decoding from the current context until end of turn, `max_tokens`, or `trigger`. On the
    trigger, the context holds the text before it and the trigger as the template writes it (its
    special tokens as tokens), ready for the call's name and arguments."""
    written: list[int] = []
    text = ""
    shown = 0
    while len(written) < max_tokens:
        tok = _pick(runner.logits(), temperature, rng)
        if runner.is_eog(tok):
            break
        candidate = text + runner.piece(tok).decode("utf-8", "ignore")
        if trigger and trigger in candidate:
            before = candidate[: candidate.index(trigger)]
            runner.feed(runner.tokenize(before[len(text):]))
            context = [int(t) for t in runner.llama.input_ids[: runner.n_tokens]]
            runner.feed(runner.tokenize(trigger, special=True))
            if on_text is not None and before[shown:]:
                on_text(before[shown:])
            return LazyOutcome(before, True, len(written) + 1, context=context)
        runner.feed([tok])
        written.append(tok)
        text = candidate
        safe = len(text) - _held(text, trigger)
        if on_text is not None and safe > shown:
            on_text(text[shown:safe])
            shown = safe
    if on_text is not None and text[shown:]:
        on_text(text[shown:])
    return LazyOutcome(text, False, len(written), "stop" if len(written) < max_tokens else "length")


def _held(text: str, trigger: str) -> int:
    """How many trailing characters of `text` could be the start of `trigger`."""
    for k in range(min(len(trigger) - 1, len(text)), 0, -1):
        if trigger.startswith(text[-k:]):
            return k
    return 0

