"""The token loop over one llama.cpp context: prefix-cached prompts, greedy/sampled decoding,
decoding under a grammar (the `Constraint`s of `constraints.py`), and exact scoring of options.

Everything here is synchronous and NOT thread-safe: callers hold the model's lock.
"""

from __future__ import annotations

import codecs
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import llama_cpp
import numpy as np

from .prompt_store import MIN_TOKENS, PromptStore

if TYPE_CHECKING:
    from .constraints import Constraint


@dataclass(slots=True)
class Generated:
    tokens: list[int] = field(default_factory=list)
    text: str = ""
    finish_reason: str = "stop"


class Runner:
    """Feeds tokens to a `llama_cpp.Llama`, reusing the KV cache for a shared prompt prefix."""

    def __init__(self, llama: llama_cpp.Llama):
        self.llama = llama
        self.n_vocab = llama.n_vocab()
        self.vocab = llama_cpp.llama_model_get_vocab(llama.model)
        self.eos = llama.token_eos()
        self._eog = np.array([llama_cpp.llama_vocab_is_eog(self.vocab, t) for t in range(self.n_vocab)], dtype=bool)
        self._eog_ids = [int(t) for t in np.flatnonzero(self._eog)]
        self._logits: np.ndarray | None = None
        self.store: PromptStore | None = None
        """Prompt prefixes kept across processes (`prompt_store.py`); None: this process's cache only."""

    # -- state ----------------------------------------------------------------------------
    @property
    def n_tokens(self) -> int:
        return self.llama.n_tokens

    def eog_ids(self) -> list[int]:
        """The end-of-generation tokens."""
        return list(self._eog_ids)

    def is_eog(self, token: int) -> bool:
        return bool(self._eog[token])

    def tokenize(self, text: str, special: bool = False) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def piece(self, token: int) -> bytes:
        return self.llama.detokenize([token])

    def prefill(self, prompt: Sequence[int]) -> None:
        """Make the context hold exactly `prompt`, evaluating only the part not already cached."""
        prompt = list(prompt)
        if len(prompt) >= self.llama.n_ctx():
            raise ValueError(f"the prompt has {len(prompt)} tokens, more than the context window ({self.llama.n_ctx()})")
        cached = self.llama.input_ids[: self.llama.n_tokens]
        keep = 0
        for a, b in zip(cached, prompt):
            if a != b:
                break
            keep += 1
        keep = min(keep, len(prompt) - 1)  # always evaluate at least one token: fresh logits
        if self.store is not None:
            keep = self._use_store(prompt, keep)
        self.truncate(keep)
        self.feed(prompt[keep:])

    def _use_store(self, prompt: list[int], keep: int) -> int:
        """Keep a long prefix shared by two prompts in a row; or restore a kept prefix longer than
        the cached one. The number of tokens of `prompt` the context now holds."""
        store = self.store
        assert store is not None
        if MIN_TOKENS <= keep < self.llama.n_tokens and not store.covers(prompt[:keep]):
            self.truncate(keep)
            store.keep(self.llama, keep)
            return keep
        name = store.longest(prompt, keep)
        if name is None:
            return keep
        self._logits = None
        return store.restore(self.llama, name)

    def truncate(self, n: int) -> None:
        if n < self.llama.n_tokens:
            self.llama.n_tokens = n
            self.llama._ctx.kv_cache_seq_rm(-1, n, -1)
        self._logits = None

    def checkpoint(self) -> tuple[int, np.ndarray]:
        """The context's length and its logits, to `restore` later without evaluating anything."""
        return self.n_tokens, np.array(self.logits(), copy=True)

    def restore(self, point: tuple[int, np.ndarray]) -> None:
        """Cut the context back to a `checkpoint` taken on it, with the logits it had there."""
        n, logits = point
        self.truncate(n)
        self._logits = logits

    def feed(self, tokens: Sequence[int]) -> None:
        if not tokens:
            return
        if self.llama.n_tokens + len(tokens) > self.llama.n_ctx():
            raise ValueError("the context window is full")
        self.llama.eval(list(tokens))
        self._logits = None

    def logits(self) -> np.ndarray:
        """A view of the logits after the last fed token (valid until the next feed)."""
        if self._logits is None:
            ptr = llama_cpp.llama_get_logits_ith(self.llama._ctx.ctx, -1)
            self._logits = np.ctypeslib.as_array(ptr, shape=(self.n_vocab,))
        return self._logits

    # -- scoring --------------------------------------------------------------------------
    def score_options(self, options: Sequence[str], special: bool = False) -> list[tuple[float, list[int]]]:
        """Log-probability the model gives each option text as the continuation of the context.

        Options are tokenized whole; their common token prefix is fed once (it has the same
        probability under every option), then each option's rest is evaluated in one batch (all
        its positions' logits at once: one evaluation per option, not one per token). Returns
        (log-probability of the rest, rest tokens) per option; the context is left after the common
        prefix, with its logits: `feed(rest)` commits a choice. `special`: the options' special
        tokens (a template's `<tool_call>`) are tokens, not text.
        """
        toks = [self.tokenize(o, special=special) for o in options]
        common = _common_prefix(toks)
        self.feed(common)  # the shared part has the same probability under every option
        here = self.checkpoint()
        first = log_softmax(here[1])
        rests = [t[len(common):] for t in toks]
        done: dict[tuple[int, ...], float] = {}
        for r in rests:
            if tuple(r) not in done:
                done[tuple(r)] = float(first[r[0]]) + sum(self._next_logprobs(here[0], r)) if r else 0.0
        self.restore(here)
        return [(done[tuple(r)], r) for r in rests]

    def continuation_logprobs(self, tokens: Sequence[int]) -> list[float]:
        """Per-token log-probabilities of `tokens` as the continuation of the context, in one
        batched evaluation (logits kept for every position). The context is left unchanged."""
        tokens = list(tokens)
        if not tokens:
            return []
        here = self.checkpoint()
        out = [float(log_softmax(here[1])[tokens[0]]), *self._next_logprobs(here[0], tokens)]
        self.restore(here)
        return out

    def path_logprobs(self, tokens: Sequence[int], ends: np.ndarray) -> tuple[list[float], list[float]]:
        """For `tokens` as the continuation of the context, in one batched evaluation: the
        log-probability of each token, and after each token the log-probability that the text ends
        there (of any token in `ends`, e.g. the closing quotes of a JSON string). The context is
        left unchanged."""
        tokens = list(tokens)
        if not tokens:
            return [], []
        here = self.checkpoint()
        steps, stops = [float(log_softmax(here[1])[tokens[0]])], []
        for k, row in enumerate(self._rows(here[0], tokens)):
            stops.append(float(np.logaddexp.reduce(row[ends])))
            if k + 1 < len(tokens):
                steps.append(float(row[tokens[k + 1]]))
        self.restore(here)
        return steps, stops

    def _next_logprobs(self, at: int, tokens: list[int]) -> list[float]:
        """log P(tokens[k] | context[:at] + tokens[:k]) for k >= 1. The context's own state
        (`n_tokens`, the kept logits) is the caller's to restore."""
        return [float(row[tokens[k + 1]]) for k, row in enumerate(self._rows(at, tokens[:-1]))]

    def _rows(self, at: int, tokens: list[int]) -> Iterator[np.ndarray]:
        """The next-token log-probabilities after each of `tokens`, evaluated in batches at
        position `at` (logits kept for every position); the cache is cut back to `at` afterwards."""
        if at + len(tokens) > self.llama.n_ctx():
            raise ValueError("the context window is full")
        llama = self.llama
        try:
            for i in range(0, len(tokens), llama.n_batch):
                chunk = tokens[i:i + llama.n_batch]
                llama._ctx.kv_cache_seq_rm(-1, at + i, -1)
                llama._batch.set_batch(batch=chunk, n_past=at + i, logits_all=True)
                llama._ctx.decode(llama._batch)
                for j in range(len(chunk)):
                    yield log_softmax(np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llama._ctx.ctx, j), shape=(self.n_vocab,)))
        finally:
            llama._ctx.kv_cache_seq_rm(-1, at, -1)

    # -- decoding -------------------------------------------------------------------------
    def generate(
        self,
        max_tokens: int,
        *,
        constraint: Constraint | None = None,
        temperature: float = 0.0,
        rng: np.random.Generator | None = None,
        stop_at_eog: bool = True,
        on_text: Callable[[str], None] | None = None,
        repeat_penalty: float = 1.0,
        no_repeat_ngram: int = 0,
        not_first: np.ndarray | None = None,
    ) -> Generated:
        """Decode up to `max_tokens` tokens from the current context (constrained if given).

        For free text, `repeat_penalty` (llama.cpp style, over the last 64 tokens) and
        `no_repeat_ngram` (never write the same n tokens twice) keep a tiny greedy model out of loops;
        the tokens in `not_first` cannot start the text (before anything but whitespace).
        """
        out = Generated(finish_reason="length")
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        parts: list[str] = []

        def emit(tokens: list[int]) -> None:
            out.tokens.extend(tokens)
            text = decoder.decode(b"".join(self.piece(t) for t in tokens))
            if text:
                parts.append(text)
                if on_text is not None:
                    on_text(text)

        while len(out.tokens) < max_tokens:
            if constraint is not None:
                if constraint.done():
                    out.finish_reason = "stop"
                    break
                forced = constraint.forced()[: max_tokens - len(out.tokens)]
                if len(forced) > 1:  # fast-forward: one batched eval for several forced tokens
                    self.feed(forced)
                    constraint.accept(forced)
                    emit(forced)
                    continue
            logits = self.logits()
            if constraint is not None:
                tok = constraint.pick(self, logits, temperature, rng)
            else:
                if repeat_penalty != 1.0 or no_repeat_ngram:
                    logits = _discourage_repeats(logits, out.tokens, repeat_penalty, no_repeat_ngram)
                if not_first is not None and not "".join(parts).strip():
                    logits = logits.copy()
                    logits[not_first] = -np.inf
                tok = _pick(logits, temperature, rng)
            if stop_at_eog and self.is_eog(tok):
                out.finish_reason = "stop"
                break
            if constraint is not None:
                constraint.accept([tok])
            self.feed([tok])
            emit([tok])
        tail = decoder.decode(b"", final=True)
        if tail:
            parts.append(tail)
            if on_text is not None:
                on_text(tail)
        out.text = "".join(parts)
        return out


def log_softmax(x: np.ndarray) -> np.ndarray:
    m = float(np.max(x))
    return x - (m + math.log(float(np.sum(np.exp(x - m)))))


def _discourage_repeats(logits: np.ndarray, generated: list[int], penalty: float, ngram: int) -> np.ndarray:
    """Logits with recent tokens penalised and every token that would repeat an n-gram banned."""
    logits = np.array(logits, dtype=np.float32, copy=True)
    recent = np.unique(np.asarray(generated[-64:], dtype=np.int64))
    if penalty != 1.0 and recent.size:
        values = logits[recent]
        logits[recent] = np.where(values > 0, values / penalty, values * penalty)
    if ngram and len(generated) >= ngram:
        prefix = tuple(generated[-(ngram - 1):]) if ngram > 1 else ()
        for i in range(len(generated) - ngram + 1):
            if tuple(generated[i:i + ngram - 1]) == prefix:
                logits[generated[i + ngram - 1]] = -np.inf
    return logits


def _pick(logits: np.ndarray, temperature: float, rng: np.random.Generator | None) -> int:
    if temperature <= 0:
        return int(np.argmax(logits))
    z = logits.astype(np.float64) / temperature
    z -= np.max(z)
    p = np.exp(z)
    p /= p.sum()
    return int((rng or np.random.default_rng()).choice(len(p), p=p))


def _common_prefix(seqs: list[list[int]]) -> list[int]:
    if not seqs:
        return []
    out: list[int] = []
    for column in zip(*seqs):
        if all(c == column[0] for c in column):
            out.append(column[0])
        else:
            break
    # keep at least one token per option to score (an option must not be a prefix of all others)
    shortest = min(len(s) for s in seqs)
    return out[: max(0, min(len(out), shortest - 1))]
