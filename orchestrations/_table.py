"""Tables of computed numbers: returned by data steps, shown by the chatbot, quoted in prompts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(slots=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def __post_init__(self) -> None:
        """Cells stay JSON-ready: dates (typed tool results carry them) become ISO strings."""
        self.rows = [[v.isoformat() if isinstance(v, date) else v for v in row] for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "note": self.note}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Table:
        return cls(data["title"], list(data["columns"]), [list(r) for r in data["rows"]], data.get("note", ""))

    def to_markdown(self) -> str:
        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "---|" * len(self.columns)
        body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in self.rows]
        lines = [f"**{self.title}**", head, rule, *body]
        if self.note:
            lines.append(f"_{self.note}_")
        return "\n".join(lines)


def fmt(value: Any) -> str:
    """Human-readable number: 383285000000 -> 383.29B, 0.2531 stays 0.2531, None -> n/a."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    magnitude = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if magnitude >= limit:
            return f"{value / limit:,.2f}{suffix}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.4g}" if magnitude < 1 else f"{value:,.2f}"
