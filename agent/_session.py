"""`Session`: one conversation, in memory or named and kept in a `SessionStore`."""

from __future__ import annotations

from typing import Any

from agent._memory import Memory, TurnRecord
from agent._reply import AgentReply
from agent.sessions import SessionStore, check_name


class Session:
    """One conversation: its memory, the reply of its last turn, and a turn paused for approval.

    A named session (`Agent.open_session(name)`) lives in a store: its turns are read back at the
    start of every turn (another process may have added some) and each finished turn is appended;
    a paused turn is saved there, so any process may resume it. An unnamed one lives in this object.
    """

    def __init__(self, name: str | None = None, store: SessionStore | None = None) -> None:
        if name is not None and store is None:
            raise ValueError("a named session needs a store")
        self.name = check_name(name) if name is not None else None
        self.store = store
        self.memory = Memory()
        self.last_reply: AgentReply | None = None
        self._pending: dict[str, Any] | None = None
        self.refresh()

    def __repr__(self) -> str:
        return f"Session({self.name!r})" if self.name else "Session()"

    def refresh(self) -> None:
        """Read the turns back from the store (a named session)."""
        if self.name is not None and self.store is not None:
            self.memory.turns = self.store.load(self.name)

    def record(self, turn: TurnRecord) -> None:
        """Keep a finished turn in the store (a named session; the memory has it already)."""
        if self.name is not None and self.store is not None:
            self.store.append(self.name, turn)

    def clear(self) -> None:
        """Forget the conversation (and, for a named session, its stored turns and paused turn)."""
        self.memory.clear()
        self._pending = None
        if self.name is not None and self.store is not None:
            self.store.delete(self.name)

    # -- a turn paused for approval ---------------------------------------------------------------
    def save_pending(self, state: dict[str, Any]) -> None:
        if self.name is not None and self.store is not None:
            self.store.save_pending(self.name, state)
        else:
            self._pending = state

    @property
    def pending(self) -> dict[str, Any] | None:
        """The paused turn's state (`{"query", "calls", "waiting", ...}`), or None."""
        if self.name is not None and self.store is not None:
            return self.store.pending(self.name)
        return self._pending

    def claim_pending(self) -> dict[str, Any] | None:
        if self.name is not None and self.store is not None:
            return self.store.claim_pending(self.name)
        state, self._pending = self._pending, None
        return state
