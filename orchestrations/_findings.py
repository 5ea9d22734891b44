"""Findings: plain sentences computed in Python, each with the figures it states and where they come from.

An orchestration's data step turns its tables into a few findings (rankings, comparisons with peers
or an index, changes over the period, ratios against thresholds, what is missing). They are shown
before the narrative, handed to the analysis model instead of raw tables, and are what the written
answer's figures are traced against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._table import fmt


@dataclass(slots=True)
class Finding:
    """One computed statement: `text` states every figure in `figures` exactly as written there."""

    text: str
    figures: list[str] = field(default_factory=list)
    source: str = ""
    """The table (and row) the figures come from, e.g. `comparison[JPM]`."""
    kind: str = "fact"
    """`fact`; `verdict`: it sums the analysis up (an answer may open with it); `caveat`: a limit of the data."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "figures": list(self.figures), "source": self.source}
        if self.kind != "fact":
            out["kind"] = self.kind
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(str(data["text"]), [str(f) for f in data.get("figures") or []], str(data.get("source") or ""),
                   str(data.get("kind") or "fact"))


def pct_text(value: float | None, *, signed: bool = False) -> str:
    """A percentage already in percent units as written in findings: 25.31 -> '25.31%'."""
    if value is None:
        return "n/a"
    text = f"{value:,.2f}%"
    return f"+{text}" if signed and value > 0 else text


def num_text(value: Any) -> str:
    """A number as the tables print it (`fmt`): 398150000000 -> '398.15B', 11.2234 -> '11.22'."""
    return fmt(value)


class FindingBuilder:
    """Collects findings; `add` takes a sentence template with `{}` slots filled by the figures.

    `add("{} grew {} a year", "JPM", pct, source=...)`: strings are inserted as they are; numbers are
    formatted (`pct=True`: as percentages) and recorded as the finding's figures.
    """

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, template: str, *values: Any, source: str = "", pct: bool | tuple[bool, ...] = False,
            kind: str = "fact") -> None:
        if any(v is None for v in values):
            return  # a finding needs all its figures
        flags = pct if isinstance(pct, tuple) else (pct,) * len(values)
        texts, figures = [], []
        for value, as_pct in zip(values, flags):
            if isinstance(value, str):
                texts.append(value)
                continue
            text = pct_text(value) if as_pct else num_text(value)
            texts.append(text)
            figures.append(text)
        self.findings.append(Finding(template.format(*texts), figures, source, kind))

    def missing(self, missing: list[str], limit: int = 2) -> None:
        """A finding saying what the data step could not get (the first `limit` failures)."""
        if not missing:
            return
        what = "; ".join(m.split(":")[0] for m in missing[:limit])
        more = f" and {len(missing) - limit} more" if len(missing) > limit else ""
        self.findings.append(Finding(f"Some data is missing: {what}{more}.", [], "missing", "caveat"))


__all__ = ["Finding", "FindingBuilder", "pct_text", "num_text"]
