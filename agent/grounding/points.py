"""Data points: each figure of the data with what it measures (subject, measure, period).

A data point is built generically from an orchestration's output, with no rule about finance:

- a table cell: when the table's rows are things (its other columns are measures), the subject is
  the row's label (and the string cell after it, e.g. a name) and the measure the column header;
  when the rows are measures (the other columns are periods, or there is a single value column),
  the measure is the row's label, the period the column header and the subject what the title names;
- a finding's figure: the subject is the nearest subject named before it in the finding, the measure
  the finding's source (`table[measure]`) and the words of the finding around the figure.

`words` are lower-case word stems (the first `STEM` characters): "margins" and "margin" meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agent.grounding.figures import find_figures

__all__ = ["DataPoint", "data_points", "stems", "shares_stem", "clause_rest", "subject_names", "is_period"]

STEM = 5
_TOKEN = re.compile(r"[^\W_]+(?:[/&][^\W_]+)*", re.UNICODE)
_PERIOD = re.compile(r"(?:19|20)\d\d|\d{4}-\d\d")
_LEGAL = {"inc", "inc.", "corp", "corp.", "corporation", "company", "co", "co.", "ltd", "plc", "the", "group", "holdings", "&"}
"""Legal-form words in company names: they name no one in particular."""


def stems(text: str) -> set[str]:
    """Lower-case stems of the words of `text` (words of 3+ characters, or with a `/`: "p/e")."""
    return {w.lower()[:STEM] if "/" not in w else w.lower() for w in _TOKEN.findall(text or "")
            if (len(w) >= 3 or "/" in w) and not any(c.isdigit() for c in w)}


def shares_stem(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> bool:
    """Some stem of `a` and some stem of `b` are the same word ("rank" and "ranks": one starts the other)."""
    return any(x == y or (min(len(x), len(y)) >= 4 and (x.startswith(y) or y.startswith(x))) for x in a for y in b)


def is_period(label: Any) -> bool:
    return isinstance(label, str) and bool(_PERIOD.search(label))


@dataclass(frozen=True, slots=True)
class DataPoint:
    """One figure of the data and what it measures."""

    value: str
    """The figure as printed (`398.15B`, `11.22`, `-44.59%`)."""
    subject: str
    """Who or what it is about (`JPM`), or "" when the data does not say."""
    names: frozenset[str]
    """Lower-case words that name the subject (`jpm`, `jpmorgan`)."""
    measure: str
    """What it measures (`P/E`)."""
    words: frozenset[str]
    """Stems that name the measure (its label, and a finding's words around the figure)."""
    period: str = ""
    source: str = ""


def subject_names(subject: str, *aliases: str) -> frozenset[str]:
    """The words naming a subject: itself, and the distinctive words of its aliases (a company name)."""
    names = {subject.lower()} if subject else set()
    for alias in aliases:
        for word in re.findall(r"[^\W_][\w'&.-]*", alias or ""):
            w = word.lower().rstrip(".,")
            if (len(w) >= 3 or (len(w) >= 2 and word.isupper())) and w not in _LEGAL and word[:1].isupper():
                names.add(w)
    return frozenset(names)


def _value_text(value: Any, column: str) -> str:
    from orchestrations import fmt

    text = fmt(value)
    return text + "%" if column.rstrip().endswith("%") and not text.endswith("%") else text


def _title_subject(title: str) -> tuple[str, frozenset[str]]:
    """What a table's title names: a code in capitals that opens it (`JNJ financial health` -> JNJ)."""
    first = (title or "").split()[:1]
    word = first[0].strip(":,") if first else ""
    return (word, frozenset({word.lower()})) if len(word) >= 2 and word.isupper() and word.isalpha() else ("", frozenset())


def _rows_are_measures(columns: list[str], rows: list[list[Any]], measures: list[set[str]]) -> bool:
    """The rows are measures: the other columns are periods, or one value column, or most row labels
    are measures of other tables (`measures`: their stems)."""
    if len(columns) == 2 or sum(is_period(c) for c in columns) * 2 >= len(columns) - 1:
        return True
    labels = [stems(str(r[0])) for r in rows if r and isinstance(r[0], str)]  # rows: [label]
    known = sum(1 for lab in labels if lab and any(lab <= m for m in measures))
    return bool(labels) and known * 2 >= len(labels)


def _label_column(columns: list[str], rows: list[list[Any]]) -> int | None:
    """The column that names the rows: the first whose cells are all distinct strings."""
    for i in range(len(columns)):
        cells = [r[i] if i < len(r) else None for r in rows]
        if all(isinstance(c, str) and c for c in cells) and len(set(cells)) == len(cells):
            return i
    return None


def table_points(name: str, table: dict[str, Any], measures: list[set[str]] | None = None) -> list[DataPoint]:
    """Every numeric cell of a table (`{title, columns, rows}`) as a data point (`measures`: the
    stems of other tables' measures, to recognise rows that are measures)."""
    columns = [str(c) for c in table.get("columns") or []]
    rows = table.get("rows") or []
    if len(columns) < 2 or not rows:
        return []
    at = _label_column(columns, rows)
    rows_are_measures = at is not None and _rows_are_measures(columns, [[r[at]] for r in rows], measures or [])
    title_subject, title_names = _title_subject(table.get("title") or "")
    out: list[DataPoint] = []
    for row in rows:
        label = str(row[at]) if at is not None else ""
        alias = next((c for c in row[at + 1:] if isinstance(c, str)), "") if at is not None and not rows_are_measures else ""
        for i, (column, cell) in enumerate(zip(columns, row)):
            if i == at or isinstance(cell, bool) or not isinstance(cell, (int, float)):
                continue
            if rows_are_measures or at is None:
                measure = label or column
                words = stems(measure) | (stems(column) if label and not is_period(column) else set())
                subject, names, period = title_subject, title_names, column if is_period(column) else ""
            else:
                measure, words, period = column, stems(column), ""
                subject, names = label, subject_names(label, alias)
            out.append(DataPoint(_value_text(cell, measure), subject, names, measure, frozenset(words), period, f"{name}[{label or column}]"))
    return out


def finding_points(finding: dict[str, Any], known: dict[str, frozenset[str]]) -> list[DataPoint]:
    """Each figure of a finding, with the nearest subject named before it and the words around it.

    `known`: subject -> its names (from the tables), to recognise subjects in the finding's text."""
    text = finding.get("text") or ""
    source = finding.get("source") or ""
    bracket = source[source.find("[") + 1:source.rfind("]")] if "[" in source else ""
    measure_words = stems(source.split("[")[0]) | (stems(bracket) if bracket and bracket not in known else set())
    subject_words = set().union(*known.values()) if known else set()
    out: list[DataPoint] = []
    figures = find_figures(text)
    position = 0
    for i, figure in enumerate(figures):
        at = text.find(figure.text, position)
        if at < 0:
            continue
        end = at + len(figure.text)
        before, after = text[position:at], clause_rest(text, end)
        following = text[end:end + len(after)] if i + 1 >= len(figures) else text[end:max(end, text.find(figures[i + 1].text, end))]
        subject = _nearest_subject(before, known) or _nearest_subject(following, known, first=True) or _nearest_subject(text[:at], known)
        names = known.get(subject, frozenset({subject.lower()} if subject else set()))
        context = {w for w in stems(before) | stems(after) if len(w) >= 4}  # short words ("the", "was") name nothing
        words = frozenset((measure_words | context) - subject_words)
        measure = bracket if bracket and bracket not in known else source.split("[")[0]
        out.append(DataPoint(figure.text.lstrip("+"), subject, names, measure, words, "", f"finding[{source}]"))
        position = end
    return out


_CLAUSE_END = re.compile(r"[,;:(]|[.!?](?=\s|$)")


def clause_rest(text: str, start: int) -> str:
    """The text after a figure up to the end of its clause (following figures included)."""
    m = _CLAUSE_END.search(text, start)
    return text[start:m.start() if m else len(text)]


def _nearest_subject(text: str, known: dict[str, frozenset[str]], first: bool = False) -> str:
    """The subject named last in `text` (`first`: named first), or ""."""
    found = sorted((m.start(), subject) for subject, names in known.items() for n in names
                   for m in re.finditer(rf"(?<![\w]){re.escape(n)}(?![\w])", text.lower()))
    return (found[0] if first else found[-1])[1] if found else ""


def data_points(findings: Iterable[Any], tables: dict[str, Any]) -> list[DataPoint]:
    """The data points of a turn: every table cell, then every finding's figures."""
    points: list[DataPoint] = []
    dicts = {name: table if isinstance(table, dict) else table.to_dict() for name, table in tables.items()}
    measures = [stems(str(c)) for t in dicts.values() for c in (t.get("columns") or [])[1:] if not is_period(str(c))]
    for t in dicts.values():  # tables by period: their rows are measures
        columns = [str(c) for c in t.get("columns") or []]
        if len(columns) > 2 and sum(is_period(c) for c in columns) * 2 >= len(columns) - 1:
            measures += [stems(str(r[0])) for r in t.get("rows") or [] if r and isinstance(r[0], str)]
    for name, table in dicts.items():
        points += table_points(name, table, measures)
    known: dict[str, frozenset[str]] = {}
    for p in points:
        if p.subject:
            known[p.subject] = known.get(p.subject, frozenset()) | p.names
    for f in findings:
        points += finding_points(f if isinstance(f, dict) else f.to_dict(), known)
    return points
