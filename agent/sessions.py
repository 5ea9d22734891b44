"""Sessions that persist: the `SessionStore` protocol and its default, `SQLiteSessionStore`.

A store keeps, per session name, the finished turns (`TurnRecord`: question, answer, calls, at)
and at most one paused turn waiting for approval (a JSON-ready state, see `agent.approval`).
Any object with these methods plugs into `Agent(store=...)` (e.g. a server's own database).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from agent._memory import TurnRecord

MAX_NAME_CHARS = 200
DEFAULT_PATH_ENV = "FINAGENT_SESSIONS"
"""Environment variable naming the default SQLite file (else ~/.finagent/sessions.sqlite)."""


class SessionNameError(ValueError):
    """A session name that is empty, too long or holds control characters."""


@dataclass(slots=True)
class SessionInfo:
    name: str
    turns: int
    updated_at: float
    pending: bool
    """A turn of this session waits for approval."""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "turns": self.turns, "updated_at": self.updated_at, "pending": self.pending}


@runtime_checkable
class SessionStore(Protocol):
    """Where named sessions live. Every method is safe to call from several processes at once."""

    def load(self, name: str) -> list[TurnRecord]:
        """The session's turns, oldest first (empty for an unknown session)."""
        ...

    def append(self, name: str, turn: TurnRecord) -> None:
        """Add a finished turn (creating the session); never loses a concurrent writer's turn."""
        ...

    def sessions(self) -> list[SessionInfo]:
        """Every session, most recently updated first."""
        ...

    def delete(self, name: str) -> bool:
        """Forget the session, its turns and any pending approval; False if there was none."""
        ...

    def save_pending(self, name: str, state: dict[str, Any]) -> None:
        """Keep a paused turn's state (replacing an earlier one of the same session)."""
        ...

    def pending(self, name: str) -> dict[str, Any] | None:
        """The paused turn's state, left in place; None if no turn waits."""
        ...

    def claim_pending(self, name: str) -> dict[str, Any] | None:
        """Take the paused turn's state out of the store, atomically: one process resumes it."""
        ...


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise SessionNameError("a session name must be a non-empty string")
    if len(name) > MAX_NAME_CHARS:
        raise SessionNameError(f"a session name has at most {MAX_NAME_CHARS} characters, not {len(name)}")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise SessionNameError("a session name cannot hold control characters")
    return name


def default_path() -> Path:
    return Path(os.environ.get(DEFAULT_PATH_ENV) or Path.home() / ".finagent" / "sessions.sqlite").expanduser()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (name TEXT PRIMARY KEY, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (id INTEGER PRIMARY KEY AUTOINCREMENT, session TEXT NOT NULL, question TEXT NOT NULL,
    answer TEXT NOT NULL, calls TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session, id);
CREATE TABLE IF NOT EXISTS pending (session TEXT PRIMARY KEY, state TEXT NOT NULL, at REAL NOT NULL);
"""


class SQLiteSessionStore:
    """Sessions in one SQLite file, in WAL mode: several processes may read and write at once.

    Each operation opens its own connection and writes in one `BEGIN IMMEDIATE` transaction, waiting
    up to `timeout` seconds for another writer, so concurrent appends are serialised, never lost.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, timeout: float = 30.0):
        self.path = Path(path).expanduser() if path is not None else default_path()
        self.timeout = timeout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SQLiteSessionStore({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def load(self, name: str) -> list[TurnRecord]:
        with self._connect() as db:
            rows = db.execute("SELECT question, answer, calls, at FROM turns WHERE session = ? ORDER BY id", (check_name(name),)).fetchall()
        return [TurnRecord(q, a, json.loads(c), at) for q, a, c, at in rows]

    def append(self, name: str, turn: TurnRecord) -> None:
        check_name(name)
        calls = json.dumps(turn.calls, default=str)
        with self._write() as db:
            self._touch(db, name)
            db.execute("INSERT INTO turns (session, question, answer, calls, at) VALUES (?, ?, ?, ?, ?)",
                       (name, turn.question, turn.answer, calls, turn.at))

    def sessions(self) -> list[SessionInfo]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT s.name, (SELECT COUNT(*) FROM turns t WHERE t.session = s.name), s.updated_at, "
                "EXISTS (SELECT 1 FROM pending p WHERE p.session = s.name) FROM sessions s ORDER BY s.updated_at DESC, s.name"
            ).fetchall()
        return [SessionInfo(n, count, updated, bool(pending)) for n, count, updated, pending in rows]

    def delete(self, name: str) -> bool:
        check_name(name)
        with self._write() as db:
            found = db.execute("DELETE FROM sessions WHERE name = ?", (name,)).rowcount > 0
            db.execute("DELETE FROM turns WHERE session = ?", (name,))
            db.execute("DELETE FROM pending WHERE session = ?", (name,))
        return found

    def save_pending(self, name: str, state: dict[str, Any]) -> None:
        check_name(name)
        text = json.dumps(state, default=str)
        with self._write() as db:
            self._touch(db, name)
            db.execute("INSERT INTO pending (session, state, at) VALUES (?, ?, ?) "
                       "ON CONFLICT(session) DO UPDATE SET state = excluded.state, at = excluded.at", (name, text, time.time()))

    def pending(self, name: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT state FROM pending WHERE session = ?", (check_name(name),)).fetchone()
        return json.loads(row[0]) if row else None

    def claim_pending(self, name: str) -> dict[str, Any] | None:
        check_name(name)
        with self._write() as db:
            row = db.execute("SELECT state FROM pending WHERE session = ?", (name,)).fetchone()
            if row:
                db.execute("DELETE FROM pending WHERE session = ?", (name,))
        return json.loads(row[0]) if row else None

    @staticmethod
    def _touch(db: sqlite3.Connection, name: str) -> None:
        now = time.time()
        db.execute("INSERT INTO sessions (name, created_at, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at", (name, now, now))


class InMemorySessionStore:
    """A `SessionStore` inside one process (tests, or an app that keeps nothing)."""

    def __init__(self) -> None:
        self._turns: dict[str, list[TurnRecord]] = {}
        self._updated: dict[str, float] = {}
        self._pending: dict[str, dict[str, Any]] = {}

    def load(self, name: str) -> list[TurnRecord]:
        return list(self._turns.get(check_name(name), []))

    def append(self, name: str, turn: TurnRecord) -> None:
        self._turns.setdefault(check_name(name), []).append(turn)
        self._updated[name] = time.time()

    def sessions(self) -> list[SessionInfo]:
        infos = [SessionInfo(n, len(self._turns.get(n, [])), t, n in self._pending) for n, t in self._updated.items()]
        return sorted(infos, key=lambda i: -i.updated_at)

    def delete(self, name: str) -> bool:
        found = self._updated.pop(check_name(name), None) is not None
        self._turns.pop(name, None)
        self._pending.pop(name, None)
        return found

    def save_pending(self, name: str, state: dict[str, Any]) -> None:
        self._pending[check_name(name)] = json.loads(json.dumps(state, default=str))
        self._updated[name] = time.time()

    def pending(self, name: str) -> dict[str, Any] | None:
        return self._pending.get(check_name(name))

    def claim_pending(self, name: str) -> dict[str, Any] | None:
        return self._pending.pop(check_name(name), None)


__all__ = ["SessionStore", "SQLiteSessionStore", "InMemorySessionStore", "SessionInfo", "SessionNameError", "TurnRecord", "default_path"]
