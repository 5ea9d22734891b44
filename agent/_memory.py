"""Session memory that stays inside the model's context window, kept as one record per turn."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from agent.llm import Message, ToolCall
from tools import shorten

CALL_RESULT = "(the results were shown to the user)"
"""The tool message that follows a remembered call in a routing history (the data itself is not kept)."""


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
    `window(budget, calls=True)` also shows each turn's routed calls (an assistant message with
    the calls and a tool message per call, after the question): the evidence a follow-up ("and
    in Bergen?") is routed with.
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

    def _with_calls(self) -> list[Message]:
        out: list[Message] = []
        for n, turn in enumerate(self.turns):
            out.append(Message.user(turn.question))
            if turn.calls:
                calls = [ToolCall(f"turn{n}_{i}", c["name"], json.dumps(c.get("arguments") or {}, ensure_ascii=False))
                         for i, c in enumerate(turn.calls)]
                out.append(Message.assistant(None, calls))
                out += [Message.tool(call, CALL_RESULT) for call in calls]
            out.append(Message.assistant(shorten(turn.answer, self.max_message_chars)))
        return out

    def window(self, budget: int, calls: bool = False) -> list[Message]:
        kept: list[Message] = []
        used = 0
        for message in reversed(self._with_calls() if calls else self.messages):
            cost = estimate_tokens(message.content) + sum(estimate_tokens(c.name + c.arguments) for c in message.tool_calls)
            if used + cost > budget:
                room_chars = (budget - used) * 3
                if room_chars > 200:
                    kept.append(Message(message.role, shorten(message.content or "", room_chars)))
                break
            kept.append(message)
            used += cost
        kept.reverse()
        while kept and kept[0].role in ("assistant", "tool"):
            kept = kept[1:]  # never start a window with an answer (or calls) to a question that was cut
        return kept

    def __len__(self) -> int:
        return 2 * len(self.turns)
