"""The resumable output: one JSON line per finished item, written whole and synced as it finishes.

Opening an existing file reads the ids it already holds (those items are skipped) and cuts off a
last line that a killed run left half written (its item runs again). With `retry_errors`, error
lines are removed first (the file is rewritten whole, atomically), so their items run again. Only one run may write a file
at a time (an advisory lock, where the system has one).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agent.batch._items import id_key

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["ResultLog", "OutputFileError"]


class OutputFileError(ValueError):
    """The output file cannot be resumed (a line that is not a result) or is in use by another run."""


class ResultLog:
    """Append-only JSONL of results; `done` holds the id keys already written (see `id_key`)."""

    def __init__(self, path: str | Path, *, retry_errors: bool = False):
        self.path = Path(path)
        self.retry_errors = retry_errors
        self.done: set[str] = set()
        self.errors_before = 0
        """Error lines in the file when it was opened (removed, with `retry_errors`)."""
        self.truncated = False
        """True when a half-written last line was cut off on opening."""
        self._file = open(self.path, "a+b")  # noqa: SIM115 - closed by close()
        try:
            self._lock()
            self._load()
        except BaseException:
            self._file.close()
            raise

    def _lock(self) -> None:
        if fcntl is None:
            return
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputFileError(f"{self.path} is being written by another batch run") from None

    def _load(self) -> None:
        self._file.seek(0)
        data = self._file.read()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line cut off by a kill: its item was not finished
            self._file.truncate(end)
            self._sync()
            self.truncated = True
        kept: list[bytes] = []
        for number, raw in enumerate(data[:end].splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                raise OutputFileError(f"{self.path} line {number} is not JSON: not a batch output file?") from None
            if not isinstance(record, dict) or "id" not in record:
                raise OutputFileError(f"{self.path} line {number} has no id: not a batch output file?")
            failed = record.get("error") is not None
            self.errors_before += failed
            if failed and self.retry_errors:
                continue
            self.done.add(id_key(record["id"]))
            kept.append(raw + b"\n")
        if self.retry_errors and self.errors_before:
            self._rewrite(b"".join(kept))

    def _rewrite(self, content: bytes) -> None:
        """Replace the file by `content` (a temporary file renamed over it), and hold the new one."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        old, self._file = self._file, open(self.path, "a+b")  # noqa: SIM115 - closed by close()
        old.close()
        self._lock()

    def write(self, record: dict[str, Any]) -> None:
        """Append one result line in one write, then flush and fsync it."""
        line = json.dumps(record, ensure_ascii=False, default=str).encode("utf-8") + b"\n"
        self._file.write(line)
        self._sync()
        self.done.add(id_key(record["id"]))

    def _sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()  # closing releases the lock

    def __enter__(self) -> ResultLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
