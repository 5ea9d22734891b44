"""Grammars driving decoding: which tokens are allowed next (llguidance masks, llama.cpp GBNF).

`Runner.generate` asks a `Constraint` for forced tokens, lets it pick among the allowed ones, and
tells it what was accepted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import llama_cpp
import numpy as np

from .engine import _pick

if TYPE_CHECKING:
    from .engine import Runner

__all__ = ["Constraint", "GBNFConstraint", "LLGuidanceConstraint"]


class Constraint:
    """A grammar driving decoding: which tokens are allowed next."""

    def done(self) -> bool:
        raise NotImplementedError

    def forced(self) -> list[int]:
        raise NotImplementedError

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng: Any) -> int:
        raise NotImplementedError

    def accept(self, tokens: list[int]) -> None:
        raise NotImplementedError


class LLGuidanceConstraint(Constraint):
    """llguidance's `LLMatcher`: a bit mask per step, checked lazily.

    Greedy fast path: if the model's own best token is allowed (one bit test), take it; only
    otherwise unpack the mask over the vocabulary.
    """

    def __init__(self, matcher: Any, n_vocab: int):
        from llguidance.numpy import allocate_token_bitmask

        self.matcher = matcher
        self.n_vocab = n_vocab
        self.mask = allocate_token_bitmask(1, n_vocab)
        self._bytes = self.mask.view(np.uint8)

    def done(self) -> bool:
        return self.matcher.is_stopped() or self.matcher.is_error()

    def forced(self) -> list[int]:
        return list(self.matcher.compute_ff_tokens())

    def _allowed(self) -> np.ndarray:
        return np.unpackbits(self._bytes[0], bitorder="little")[: self.n_vocab].astype(bool)

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng) -> int:
        from llguidance.numpy import fill_next_token_bitmask

        fill_next_token_bitmask(self.matcher, self.mask)
        if temperature <= 0:
            best = int(np.argmax(logits))
            if best < self.n_vocab and (int(self.mask[0, best >> 5]) >> (best & 31)) & 1:
                return best
            masked = np.where(self._allowed(), logits, -np.inf)
            return int(np.argmax(masked))
        masked = np.where(self._allowed(), logits, -np.inf)
        return _pick(masked, temperature, rng)

    def accept(self, tokens: list[int]) -> None:
        for t in tokens:
            self.matcher.consume_token(t)


class GBNFConstraint(Constraint):
    """llama.cpp's grammar sampler (GBNF), sampling inside llama.cpp."""

    def __init__(self, llama: llama_cpp.Llama, gbnf: str, temperature: float, seed: int):
        from llama_cpp import _internals

        self.chain = _internals.LlamaSampler()
        vocab = llama_cpp.llama_model_get_vocab(llama.model)
        grammar = llama_cpp.llama_sampler_init_grammar(vocab, gbnf.encode("utf-8"), b"root")
        if not grammar:
            raise ValueError("llama.cpp rejected the GBNF grammar")
        llama_cpp.llama_sampler_chain_add(self.chain.sampler, grammar)
        if temperature > 0:
            self.chain.add_temp(temperature)
            self.chain.add_dist(seed)
        else:
            self.chain.add_greedy()
        self._ctx = llama._ctx
        self._ended = False

    def done(self) -> bool:
        return self._ended

    def forced(self) -> list[int]:
        return []

    def pick(self, runner: Runner, logits: np.ndarray, temperature: float, rng) -> int:
        tok = int(self.chain.sample(self._ctx, -1))  # samples AND accepts into the grammar
        if runner.is_eog(tok):
            self._ended = True
        return tok

    def accept(self, tokens: list[int]) -> None:
        pass  # llama_sampler_sample already accepted the token
