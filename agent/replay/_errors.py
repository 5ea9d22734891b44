"""Errors raised by the replay harness. None is an `LLMError`, so the driver never swallows them."""

from __future__ import annotations


class CassetteError(Exception):
    """A cassette cannot be used (missing file, unknown format, wrong mode)."""


class CassetteNotFoundError(CassetteError, FileNotFoundError):
    """Replay mode, and the cassette file does not exist."""


class CassetteMismatchError(CassetteError, AssertionError):
    """A request (LLM or tool) has no recording left that matches it.

    The message carries a unified diff against the nearest recorded request.
    """


class UnusedRecordingsError(CassetteError, AssertionError):
    """Strict replay finished with recordings that were never asked for."""

    def __init__(self, message: str, unused: list[str] | None = None):
        super().__init__(message)
        self.unused = list(unused or [])
