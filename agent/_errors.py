"""How a failure reaches a person: one line, never a traceback (the CLI, the chat, the server)."""

from __future__ import annotations


def one_line(error: BaseException) -> str:
    """The first line of the error's message, or its type's name when it has none."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
