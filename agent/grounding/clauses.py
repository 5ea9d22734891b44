"""The clauses a clause answer is built from: the findings, and claims from small tables' cells
whose measure the question names ("What is JPM's market cap?"), or from every cell of the small
tables when there are no findings (a follow-up such as "And in Florence?" names no measure); a
small table whose rows are counted (day 1, 2, 3) gives a clause per row under its title, and so
does one whose rows hold words as well as figures (an event's title and time, an email's recipient:
`listed_rows`).

Each clause names what its figures measure (a finding does by construction; a claim is written
from the cell's subject, measure, value and period with `prompts/claim.md`). They are ordered by
how many word stems they share with the question (the clauses the question asks about first), the
orchestrations' own order breaking ties; verdicts (findings of kind `verdict`) go before the others
and caveats after them (`verdict_count` says how many lead).
"""

from __future__ import annotations

from typing import Any

from agent.grounding.points import DataPoint, _value_text, shares_stem, stems, table_points
from prompts import load

__all__ = ["answer_clauses", "claim", "fact_clause", "counted_rows", "is_small", "listed_rows", "verdict_count", "MAX_CLAIMS", "MAX_CLAIM_TABLE_CELLS"]

MAX_CLAIMS = 6
"""Claims from table cells added after the findings (cells whose values no finding states)."""
MAX_CLAIM_TABLE_CELLS = 24
"""Only tables of at most this many cells give claims (bigger ones are summarised by findings)."""


def claim(point: DataPoint) -> str:
    """One table cell as a clause: `JPM's net margin % is 31.37%` (`prompts/claim.md`)."""
    template = load("claim.md").strip().splitlines()
    line = template[0] if point.subject else template[1]
    text = line.replace("$subject", point.subject).replace("$measure", point.measure.rstrip(" %").strip()).replace("$value", point.value)
    return text + (template[2].replace("$period", point.period) if point.period and len(template) > 2 else "")


def answer_clauses(question: str, findings: list[Any], tables: dict[str, Any], missing: list[str] | None = None) -> list[str]:
    """The clauses of a turn: findings (and what is missing), then claims, the most relevant first."""
    dicts = [f if isinstance(f, dict) else f.to_dict() for f in findings]
    texts = [d["text"].strip().rstrip(".") for d in dicts]
    texts += [m.strip().rstrip(".") for m in missing or []]
    kinds = {d["text"].strip().rstrip("."): d.get("kind") or "fact" for d in dicts}
    rank = {"verdict": 0, "fact": 1, "caveat": 2}
    stated = {fig.lstrip("+-$") for f in findings for fig in (f if isinstance(f, dict) else f.to_dict()).get("figures") or []}
    claims: list[str] = []
    asked = stems(question)
    every_cell = not [t for t in texts if t]  # no findings (an orchestration without them): the small tables speak
    for name, table in tables.items():
        t = table if isinstance(table, dict) else table.to_dict()
        if not is_small(t):
            continue
        if every_cell and (listed := listed_rows(t)):
            claims += listed[: max(0, MAX_CLAIMS - len(claims))]
            stated |= {_value_text(cell, str(c)) for row in t.get("rows") or [] for c, cell in zip(t.get("columns") or [], row) if _number(cell)}
            continue  # the rows say it all, each under its own name
        if every_cell:
            claims += counted_rows(t)[: max(0, MAX_CLAIMS - len(claims))]
        for point in table_points(name, t):
            if every_cell and not point.subject:
                continue  # "The high °C is 10" names no row: not a clause of its own
            if not every_cell and not shares_stem(stems(point.measure), asked):
                continue  # a cell the question does not ask about stays in the tables (the findings summarise them)
            if point.value.lstrip("+-$") not in stated and point.value != "n/a" and len(claims) < MAX_CLAIMS:
                claims.append(claim(point))
                stated.add(point.value.lstrip("+-$"))
    ranked = sorted(enumerate(dict.fromkeys(t for t in texts + claims if t)),
                    key=lambda p: (rank.get(kinds.get(p[1], "fact"), 1), -len(asked & stems(p[1])), p[0]))
    return [t for _, t in ranked]


def counted_rows(table: dict[str, Any]) -> list[str]:
    """A small table whose rows are counted, not named (its first column numbers them: day 1, 2,
    3), one clause per row under the table's title: `Weather in Oslo, day 1: high °C 10, rain mm 0`.
    Its cells name no row of their own, so they are no claims; the title and the count say what
    each figure measures. [] for any other table."""
    columns = [str(c) for c in table.get("columns") or []]
    rows = table.get("rows") or []
    title = str(table.get("title") or "").strip().rstrip(".:")
    if not title or len(columns) < 2 or not rows or not all(row and _number(row[0]) for row in rows):
        return []
    out = []
    for row in rows:
        cells = [f"{column} {_value_text(cell, column)}" for column, cell in zip(columns[1:], row[1:]) if _number(cell)]
        if cells:
            out.append(f"{title}, {columns[0]} {_value_text(row[0], columns[0])}: " + ", ".join(cells))
    return out


def is_small(table: dict[str, Any]) -> bool:
    """Whether a table (as a dict) has at most `MAX_CLAIM_TABLE_CELLS` cells: small enough to be
    stated cell by cell or row by row."""
    return len(table.get("rows") or []) * len(table.get("columns") or []) <= MAX_CLAIM_TABLE_CELLS


def listed_rows(table: dict[str, Any]) -> list[str]:
    """A small table whose rows are named (its first cell) and hold words beside any figures (an
    event's title, an email's recipient), one clause per row under the table's title, every
    non-empty cell with its column: `Events, EV-2033: start 08:30, minutes 45, title Dentist`.
    Per-cell claims would keep only the figures ("EV-2033's minutes is 45") and drop what the row
    is about. [] for any other table (rows of figures only give claims of their own)."""
    columns = [str(c) for c in table.get("columns") or []]
    rows = table.get("rows") or []
    title = str(table.get("title") or "").strip().rstrip(".:")
    if len(columns) < 2 or not rows or not all(row and isinstance(row[0], str) and row[0].strip() for row in rows):
        return []
    if not any(isinstance(cell, str) and cell.strip() for row in rows for cell in row[1:]):
        return []
    out = []
    for row in rows:
        cells = [f"{column} {_value_text(cell, column)}" for column, cell in zip(columns[1:], row[1:])
                 if cell is not None and not isinstance(cell, bool) and str(cell).strip()]
        head = f"{title}, {row[0].strip()}" if title else row[0].strip()
        out.append(f"{head}: " + ", ".join(cells) if cells else head)
    return out


def fact_clause(title: str, facts: dict[str, Any]) -> str | None:
    """An orchestration's facts (its scalar values: what an action did) as one clause under its
    title, each with its key as words: `Sleep timer: stops in minutes 10`; `Create playlist:
    created Party, public false`. None when it has no scalar fact."""
    cells = [f"{str(k).replace('_', ' ')} {str(v).lower() if isinstance(v, bool) else _value_text(v, str(k))}"
             for k, v in facts.items() if isinstance(v, (str, int, float)) and str(v).strip()]
    return f"{title}: " + ", ".join(cells) if cells else None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def verdict_count(clauses: list[str], findings: list[Any]) -> int:
    """How many of `clauses` (as `answer_clauses` orders them) are verdicts: they lead."""
    verdicts = {(f if isinstance(f, dict) else f.to_dict())["text"].strip().rstrip(".")
                for f in findings if (f if isinstance(f, dict) else f.to_dict()).get("kind") == "verdict"}
    n = 0
    while n < len(clauses) and clauses[n] in verdicts:
        n += 1
    return n
