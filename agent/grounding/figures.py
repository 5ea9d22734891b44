"""Grounded figures: find every figure in an answer and trace it to the data the answer was written from.

What counts as a figure: a number written with digits (`398.15B`, `$398.2 billion`, `398,150,000,000`,
`-15.39%`, `11.22`, `2023-10-27`, `08:30`). Not figures: digits inside a word or ticker (`Q4`, `S&P500`,
`10-K`), and list markers (`1.` or `2)` opening a line).

How a figure traces (the documented rule):

- its value, with its magnitude word or suffix applied (`B`, `bn`, `billion`, `M`, `million`, `T`,
  `trillion`, `K`, `thousand`), equals a value in the data when both are rounded to the figure's own
  precision (the last digit written): 398.2B traces to 398,150,000,000; 25.3% to 25.31; a figure
  with a single significant digit must be exact (2 does not trace to 1.9);
- signs are not compared: the text says "fell 15.39%" for a change of -15.39;
- a percentage matches the data value as written in percent units (the tables print percentages
  that way); a plain number matches any data number;
- dates and times of day trace when the same date or time appears in the data; a year (1900-2100 written alone) traces when
  it appears in a date or period in the data or in the question;
- the data is: the findings (their figures and text), every number in the tables (raw and as
  printed), and the numbers in the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["WHEN", "Figure", "DataFigures", "find_figures", "traces", "same_value", "data_figures", "allowed_figures"]

_SCALE = {
    "t": 1e12, "trillion": 1e12, "b": 1e9, "bn": 1e9, "billion": 1e9, "m": 1e6, "mn": 1e6, "million": 1e6,
    "k": 1e3, "thousand": 1e3,
}
_DATE = r"(?:19|20)\d\d-[01]\d-[0-3]\d"
_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_FIGURE = re.compile(
    rf"(?<![\w.])(?<![A-Za-z]-)(?:(?P<date>{_DATE})|(?P<time>{_TIME})|(?P<num>{_NUMBER})"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|pp\b|percentage points?\b)"
    r"|\s?(?P<scale>trillion|billion|million|thousand|bn|mn|(?-i:[TBMK]))\b|(?P<times>x)\b)?)(?!\w|-[A-Za-z])",
    re.IGNORECASE,
)


WHEN = ("date", "time", "year")
"""The kinds of figure that say when, not how much: they trace as written, may recur, and measure nothing."""


@dataclass(slots=True, frozen=True)
class Figure:
    """A figure as written: its text, value (scale applied), precision and kind."""

    text: str
    value: float
    unit: float
    """Half of this is the rounding tolerance: the place value of the last digit written (scaled)."""
    kind: str
    """`number`, `percent`, `date`, `time` (of day: 08:30) or `year`."""
    digits: int
    """Significant digits written."""


def _parse(match: re.Match[str]) -> Figure | None:
    text = match.group(0)
    if match.group("date"):
        return Figure(text, 0.0, 0.0, "date", 8)
    if match.group("time"):
        return Figure(text, 0.0, 0.0, "time", 4)
    raw = match.group("num").replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        return None
    scale_word = (match.group("scale") or "").lower()
    scale = _SCALE.get(scale_word, 1.0)
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    digits = len(raw.replace(".", "").lstrip("0")) or 1
    kind = "percent" if match.group("pct") else "number"
    if kind == "number" and scale == 1.0 and decimals == 0 and "," not in match.group("num") and 1900 <= number <= 2100:
        kind = "year"
    return Figure(text, float(number) * scale, 10.0 ** -decimals * scale, kind, digits)


def find_figures(text: str) -> list[Figure]:
    """Every figure written in `text`, in order (list markers left out)."""
    out = []
    for match in _FIGURE.finditer(text or ""):
        if _is_marker(text, match):
            continue
        figure = _parse(match)
        if figure is not None:
            out.append(figure)
    return out


def _is_marker(text: str, match: re.Match[str]) -> bool:
    """`1.` or `2)` opening a line (only spaces before it, a space after)."""
    start = text.rfind("\n", 0, match.start()) + 1
    return text[start:match.start()].strip() == "" and bool(re.match(r"\d{1,2}[.)]\s", text[match.start():match.end() + 2]))


@dataclass(slots=True)
class DataFigures:
    """The values the answer may use: numbers (absolute), dates and years, each with a source."""

    numbers: list[tuple[float, str]] = field(default_factory=list)
    dates: dict[str, str] = field(default_factory=dict)
    """Dates and times of day as written, each with a source."""
    years: dict[str, str] = field(default_factory=dict)
    printed: dict[str, str] = field(default_factory=dict)
    """Figure texts as the data prints them (findings' figures, table cells): the grammar's vocabulary."""
    points: list[Any] = field(default_factory=list)
    """Each figure with what it measures (`agent.grounding.points.DataPoint`): the attribution check's data."""
    unoffered: dict[str, str] = field(default_factory=dict)
    """Dates and years checked against but never offered to a grammar (`add_text(vocabulary=False)`)."""
    texts: list[str] = field(default_factory=list)
    """The data's sentences (findings): arithmetic written there is stated by the data."""

    def add_number(self, value: float, source: str) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return
        self.numbers.append((abs(float(value)), source))
        if isinstance(value, int) or float(value).is_integer():
            if 1900 <= abs(value) <= 2100:
                self.years.setdefault(str(int(abs(value))), source)

    def add_text(self, text: str, source: str, vocabulary: bool = True) -> None:
        """Every figure written in `text` (a finding, a cell, the question); `vocabulary=False`: checked
        against, but not offered to a grammar (an error message's numbers)."""
        if not vocabulary:
            for f in find_figures(str(text)):
                if f.kind in WHEN:
                    self.unoffered.setdefault(f.text, source)
                else:
                    self.numbers.append((abs(f.value), source))
            return
        for f in find_figures(str(text)):
            self.printed.setdefault(f.text, source)
            if f.kind == "date":
                self.dates.setdefault(f.text, source)
                self.years.setdefault(f.text[:4], source)
            elif f.kind == "time":
                self.dates.setdefault(_clock(f.text), source)
            elif f.kind == "year":
                self.years.setdefault(f.text, source)
                self.numbers.append((abs(f.value), source))
            else:
                self.numbers.append((abs(f.value), source))
        for year in re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", str(text)):
            self.years.setdefault(year, source)


def data_figures(question: str, findings: Iterable[Any] = (), tables: dict[str, Any] | None = None) -> DataFigures:
    """The data an answer is checked against. `findings`: `Finding`s or their dicts; `tables`:
    name -> `Table` or its dict (`{title, columns, rows, note}`)."""
    from orchestrations import fmt

    data = DataFigures()
    data.add_text(question, "question")
    findings = list(findings)
    for f in findings:
        d = f if isinstance(f, dict) else f.to_dict()
        source = f"finding[{d.get('source') or '?'}]"
        data.add_text(d.get("text", ""), source)
        for fig in d.get("figures") or []:
            data.add_text(fig, source)
    from agent.grounding.points import data_points

    data.points = data_points(findings, tables or {})
    data.texts = [f if isinstance(f, str) else (f.get("text", "") if isinstance(f, dict) else f.text) for f in findings]
    for name, table in (tables or {}).items():
        t = table if isinstance(table, dict) else table.to_dict()
        data.add_text(t.get("title") or "", name)
        data.add_text(" ".join(map(str, t.get("columns") or [])), name)
        data.add_text(t.get("note") or "", name)
        for row in t.get("rows") or []:
            label = row[0] if row else "?"
            for cell in row:
                source = f"{name}[{label}]"
                if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                    data.add_number(cell, source)
                    data.add_text(fmt(cell), source)
                elif isinstance(cell, str):
                    data.add_text(cell, source)
    return data


def traces(figure: Figure, data: DataFigures) -> str | None:
    """The source a figure traces to (the documented rule), or None."""
    if figure.text in data.unoffered:
        return data.unoffered[figure.text]
    if figure.kind in ("date", "time"):
        return data.dates.get(_clock(figure.text))
    if figure.kind == "year" and figure.text in data.years:
        return data.years[figure.text]
    for value, source in data.numbers:
        if same_value(figure, value):
            return source
    return None


def _clock(time: str) -> str:
    """A time of day without its hour's leading zero: 08:30 and 8:30 are one time (a date is
    left as it is)."""
    return time[1:] if len(time) == 5 and time.startswith("0") else time


def same_value(figure: Figure, value: float) -> bool:
    """`value` (from the data) is what `figure` writes: equal, or rounded to the figure's precision
    (figures of two or more significant digits); signs are not compared."""
    target, value = abs(figure.value), abs(value)
    if value == target or math.isclose(value, target, rel_tol=1e-9):
        return True
    return figure.digits >= 2 and abs(value - target) <= figure.unit / 2 * (1 + 1e-9) + 1e-12


def allowed_figures(data: DataFigures, limit: int = 3000) -> list[str]:
    """The figure texts a grammar may let the model write (all of them trace): every figure as the
    data prints it, without its sign or currency (the text around it writes those), with and without
    a `%`, and rounded to one decimal; dates and the years in them."""
    out: dict[str, None] = {}
    for year in data.years:
        out[year] = None
    for text in data.printed:
        core = text.lstrip("$+-")
        if not core[:1].isdigit() or core in out:
            continue
        forms = [core]
        m = re.fullmatch(r"([\d,]+)(?:\.(\d+))?(%|[TBMK])?", core)
        if m:
            whole, frac, suffix = m.group(1), m.group(2) or "", m.group(3) or ""
            number = f"{whole}.{frac}" if frac else whole
            if len(frac) >= 2:
                rounded = Decimal(number.replace(",", "")).quantize(Decimal("0.1"))
                if abs(rounded) >= 1:  # one decimal of a number under 1 would be a 1-digit figure
                    forms.append(f"{rounded:,}{suffix}")
            if suffix in ("", "%") and frac:  # counts and years never become percentages
                forms += [f + "%" for f in list(forms) if not f.endswith("%")] + [f[:-1] for f in forms if f.endswith("%")]
        for form in forms:
            out[form] = None
        if len(out) >= limit:
            break
    return list(out)
