"""Session memory that stays inside the model's context window."""

from __future__ import annotations

from agent.llm import Message, ToolCall
from tools import shorten

CALL_RESULT = "(the results were shown to the user)"
"""The tool message that follows a remembered call in a routing history (the data itself is not kept)."""


def estimate_tokens(text: str | None) -> int:
    """A cheap, conservative token estimate (about 3.5 characters a token, plus overhead)."""
    return (len(text or "") * 2) // 7 + 4


class Memory:
    """The conversation so far: user questions and the agent's answers.

    `window(budget)` returns the most recent messages that fit `budget` tokens; a message too
    long to fit is shortened with a visible marker rather than dropped without a trace.
    `window(budget, calls=True)` also shows each turn's routed calls (an assistant message with
    the calls and a tool message per call after the question): the evidence a follow-up
    ("and in Bergen?") is routed with.
    """

    def __init__(self, max_message_chars: int = 6000):
        self.messages: list[Message] = []
        self.max_message_chars = max_message_chars
        self.calls: dict[int, list[ToolCall]] = {}
        """The calls routed for a turn, by the index of its question in `messages`."""

    def add_turn(self, question: str, answer: str, calls: list[ToolCall] | None = None) -> None:
        if calls:
            self.calls[len(self.messages)] = list(calls)
        self.messages.append(Message.user(question))
        self.messages.append(Message.assistant(shorten(answer, self.max_message_chars)))

    def clear(self) -> None:
        self.messages.clear()
        self.calls.clear()

    def _with_calls(self) -> list[Message]:
        out: list[Message] = []
        for i, message in enumerate(self.messages):
            out.append(message)
            calls = self.calls.get(i)
            if calls:
                out.append(Message.assistant(None, calls))
                out += [Message.tool(call, CALL_RESULT) for call in calls]
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
        return len(self.messages)
