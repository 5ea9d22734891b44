"""The progress bar: drawn on a terminal with the done and failed counts, silent elsewhere."""

from __future__ import annotations

import io
import re

from agent.batch._progress import TerminalProgress


def test_on_a_terminal_the_bar_counts_items_and_failures():
    out = io.StringIO()
    bar = TerminalProgress(out, force=True)
    bar.started(2, skipped=1)
    bar.finished({"id": 1, "error": None})
    bar.finished({"id": 2, "error": "boom"})
    bar.stop()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())  # without the terminal's colour codes
    assert "1 items already done" in text and "2/2" in text and "1 failed" in text


def test_not_on_a_terminal_nothing_is_drawn():
    out = io.StringIO()
    bar = TerminalProgress(out)
    bar.started(3, skipped=0)
    bar.finished({"id": 1, "error": "boom"})
    bar.stop()
    assert out.getvalue() == "" and bar.failed == 1
