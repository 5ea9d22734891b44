"""Session memory that stays inside the model's context window."""

from __future__ import annotations

from agent.llm import Message
from tools import shorten


def estimate_tokens(text: str | None) -> int:
    """A cheap, conservative token estimate (about 3.5 characters a token, plus overhead)."""
    return (len(text or "") * 2) // 7 + 4


class Memory:
    """The conversation so far: user questions and the agent's answers.

    `window(budget)` returns the most recent messages that fit `budget` tokens; a message too
    long to fit is shortened with a visible marker rather than dropped without a trace.
    """

    def __init__(self, max_message_chars: int = 6000):
        self.messages: list[Message] = []
        self.max_message_chars = max_message_chars

    def add_turn(self, question: str, answer: str) -> None:
        self.messages.append(Message.user(question))
        self.messages.append(Message.assistant(shorten(answer, self.max_message_chars)))

    def clear(self) -> None:
        self.messages.clear()

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
        return len(self.messages)
