"""Usage limits: what one turn may spend (LLM calls, atomic tool calls, tokens), the ReAct loop included."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.llm import Usage


class TurnInterrupted(Exception):
    """A turn stops before its answer: a usage limit, or a call waiting for approval."""


class UsageLimitExceeded(TurnInterrupted):
    """`limit` (`max_llm_calls`, `max_tool_calls` or `max_tokens`) allows `maximum`; the turn needed more."""

    def __init__(self, limit: str, maximum: int, used: int):
        self.limit, self.maximum, self.used = limit, maximum, used
        super().__init__(f"usage limit {limit}={maximum} reached ({used} used): the turn was stopped")


@dataclass(frozen=True, slots=True)
class UsageLimits:
    """`Agent(..., limits=UsageLimits(max_llm_calls=4, max_tool_calls=20, max_tokens=8000))`; None: no limit.

    Counted per turn: every LLM call (routing, repairs, ReAct steps, the analysis, a rewrite), every
    atomic tool call that runs (cached reuses are free), and prompt + completion tokens. A call is
    refused once its count would pass `max_llm_calls` / `max_tool_calls`; tokens are checked after
    each LLM reply, so the turn stops on the reply that passes `max_tokens`.
    """

    max_llm_calls: int | None = None
    max_tool_calls: int | None = None
    max_tokens: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_llm_calls", "max_tool_calls", "max_tokens"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError(f"UsageLimits.{name} must be a non-negative integer or None, not {value!r}")


@dataclass(slots=True)
class UsageMeter:
    """One turn's spending, checked against `limits`."""

    limits: UsageLimits = field(default_factory=UsageLimits)
    llm_calls: int = 0
    tool_calls: int = 0
    usage: Usage = field(default_factory=Usage)

    def before_llm_call(self) -> None:
        self._check("max_llm_calls", self.limits.max_llm_calls, self.llm_calls + 1)
        self.llm_calls += 1

    def after_llm_call(self, usage: Usage) -> None:
        self.usage.add(usage)
        self._check("max_tokens", self.limits.max_tokens, self.usage.total_tokens)

    def before_tool_call(self) -> None:
        self._check("max_tool_calls", self.limits.max_tool_calls, self.tool_calls + 1)
        self.tool_calls += 1

    @staticmethod
    def _check(name: str, maximum: int | None, used: int) -> None:
        if maximum is not None and used > maximum:
            raise UsageLimitExceeded(name, maximum, used)


__all__ = ["UsageLimits", "UsageLimitExceeded", "UsageMeter", "TurnInterrupted"]
