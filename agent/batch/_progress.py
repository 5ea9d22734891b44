"""The progress bar of a batch run on a terminal (rich, on stderr), and nothing when not on one."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

__all__ = ["TerminalProgress"]


class TerminalProgress:
    """A rich progress bar with the failed count; silent when `stream` is not a terminal."""

    def __init__(self, stream: TextIO | None = None, *, force: bool = False):
        stream = stream or sys.stderr
        self.enabled = force or stream.isatty()
        self.failed = 0
        self._bar = Progress(
            TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), console=Console(file=stream, force_terminal=force or None),
            transient=False,
        )
        self._task: Any = None

    def started(self, total: int, skipped: int) -> None:
        if not self.enabled:
            return
        if skipped:
            self._bar.console.print(f"{skipped} items already done: skipped")
        self._task = self._bar.add_task("batch", total=total, failed=0)
        self._bar.start()

    def finished(self, record: dict[str, Any]) -> None:
        self.failed += record.get("error") is not None
        if self._task is not None:
            self._bar.update(self._task, advance=1, failed=self.failed)

    def stop(self) -> None:
        if self._task is not None:
            self._bar.stop()
