"""Session memory that stays inside the model's context window, kept as one record per turn."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.llm import Message
from tools import shorten


def estimate_tokens(text: str | None) -> int:
    """A cheap, conservative token estimate (about 3.5 characters a token, plus overhead)."""
    return (len(text or "") * 2) // 7 + 4


@dataclass(slots=True)
class TurnRecord:
    """One finished turn: what was asked, answered and called, and when (seconds since the epoch).

    `calls` are the routed calls, `[{"name", "arguments"}]` (the `RouteDecided` event's): a session
    store keeps them, and routing can read what earlier turns called.
    """

    question: str
    answer: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    at: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TurnRecord:
        return cls(str(data["question"]), str(data["answer"]), list(data.get("calls") or []), float(data.get("at") or 0.0))


class Memory:
    """The conversation so far: one `TurnRecord` per turn (question, answer, calls, time).

    `window(budget)` returns the most recent messages that fit `budget` tokens; a message too
    long to fit is shortened with a visible marker rather than dropped without a trace.
    """

    def __init__(self, max_message_chars: int = 6000, turns: list[TurnRecord] | None = None):
        self.turns: list[TurnRecord] = list(turns or [])
        self.max_message_chars = max_message_chars

    def add_turn(self, question: str, answer: str, calls: list[dict[str, Any]] | None = None) -> TurnRecord:
        record = TurnRecord(question, answer, list(calls or []))
        self.turns.append(record)
        return record

    def clear(self) -> None:
        self.turns.clear()

    @property
    def messages(self) -> list[Message]:
        """The turns as alternating user and assistant messages (answers shortened to `max_message_chars`)."""
        out: list[Message] = []
        for turn in self.turns:
            out += [Message.user(turn.question), Message.assistant(shorten(turn.answer, self.max_message_chars))]
        return out

    def window(self, budget: int) -> list[Message]:
        kept: list[Message] = []
        used = 0
        for message in reversed(self.messages):
            cost = estimate_tokens(message.content)
            if used + cost > budget:
                room_chars = (budget - used) * 3
                if room_chars > 200:
                    kept.append(Message(message.role, shorten(message.content or "", room_chars)))
                break
            kept.append(message)
            used += cost
        kept.reverse()
        if kept and kept[0].role == "assistant":
            kept = kept[1:]  # never start a window with an answer to a question that was cut
        return kept

    def __len__(self) -> int:
        return 2 * len(self.turns)
