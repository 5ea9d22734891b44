"""Price and index histories as a one-line unicode sparkline in the terminal, instead of a long table.

A table is a series when its first column holds dates or months and its last column numbers, with
at least `MIN_POINTS` rows (e.g. "Index by month"). The chart keeps the first and last labels and
the low, high and last values; `--json` and the trace keep every number.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text

BLOCKS = "▁▂▃▄▅▆▇█"
MIN_POINTS = 8
MAX_WIDTH = 60
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def is_series(table: dict[str, Any]) -> bool:
    rows = table.get("rows") or []
    if len(rows) < MIN_POINTS or len(table.get("columns") or []) < 2:
        return False
    return all(_DATE.match(str(r[0])) and isinstance(r[-1], (int, float)) and not isinstance(r[-1], bool) for r in rows)


def sparkline(values: list[float], width: int = MAX_WIDTH) -> str:
    """Unicode block sparkline of `values` (averaged into at most `width` buckets)."""
    if not values:
        return ""
    if len(values) > width:
        size = len(values) / width
        values = [sum(chunk) / len(chunk) for chunk in
                  (values[int(i * size):max(int((i + 1) * size), int(i * size) + 1)] for i in range(width))]
    low, high = min(values), max(values)
    span = high - low or 1.0
    return "".join(BLOCKS[min(len(BLOCKS) - 1, int((v - low) / span * (len(BLOCKS) - 1) + 0.5))] for v in values)


def series_chart(table: dict[str, Any]) -> Text:
    """`title  2021-11 ▃▄▅▇█▆▄▃▂▁▂▃ 2023-10  low 81.2 · high 112.4 · last 95.2`."""
    rows = table["rows"]
    values = [float(r[-1]) for r in rows]
    text = Text(f"{table.get('title') or 'series'}\n", style="bold")
    text.append(f"{rows[0][0]} ", style="dim")
    text.append(sparkline(values), style="cyan")
    text.append(f" {rows[-1][0]}", style="dim")
    text.append(f"  low {min(values):,.2f} · high {max(values):,.2f} · last {values[-1]:,.2f}", style="dim")
    return text


__all__ = ["is_series", "series_chart", "sparkline"]
