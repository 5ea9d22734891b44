"""The answer check, for any backend: every figure traced to the data AND attached to what it measures.

For each figure written (`find_figures`), in order:

- **repeated**: the same figure was already written for the same data point (dates, times, years
  and one-digit counts may recur; two events of 60 minutes each write 60 twice);
- **untraced**: no value of the data is this figure (`traces`, the documented rounding rule);
- **arithmetic**: it stands in an operation between figures (`a - b`, `= c`) the data does not write;
- **attribution**, when data points carry this value (`points.py`): the clause around the figure
  must name the subject and the measure of one of them. The clause is the text from the previous
  figure (or the sentence start) to this one, plus what follows it up to the next figure. The
  subject is the one named there; else the nearest one named earlier in the sentence, else in the
  sentence before (so "its margin, 31.4%" after "JPM ..." is JPM's). The measure is named when the
  clause shares a word stem with the point's label (or a finding's words around the figure); when
  the clause names no measure at all, the whole sentence before the figure counts.
  Failing: **wrong subject** (the measure fits, the subject named is another) or **wrong measure**.

Figures with no data point (the question's numbers, dates, years, facts) are checked as traced only;
the summary says so.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from agent.grounding.figures import WHEN, DataFigures, Figure, find_figures, same_value, traces
from agent.grounding.points import DataPoint, clause_rest, shares_stem, stems

__all__ = ["FigureCheck", "check_figures", "PROBLEMS"]

PROBLEMS = {
    "untraced": "not traced to the data",
    "wrong_measure": "attached to the wrong measure",
    "wrong_subject": "attached to the wrong subject",
    "arithmetic": "in arithmetic the data does not state",
    "repeated": "repeated",
}
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_CLAUSE_SEPARATOR = re.compile(r"[,;:]")
_OPERATOR = re.compile(r"^\s*[-+*/×÷=]\s*$")
_COMMON_SHARE = 0.5
"""A finding word shared by more than this share of the findings names no measure ("the", "was")."""


@dataclass(slots=True)
class FigureCheck:
    """The verdict on one answer: each figure traced (and attributed where the data labels it), or flagged."""

    traced: list[tuple[str, str]] = field(default_factory=list)
    """(figure as written, source) pairs of the figures that pass."""
    untraced: list[str] = field(default_factory=list)
    """The figures not traced to the data, as written."""
    flagged: list[dict[str, str]] = field(default_factory=list)
    """`{"figure", "problem", "detail"}` per flagged figure (untraced ones included); `problem` is a key of `PROBLEMS`."""
    attributed: int = 0
    """Passing figures that were attributed to a labelled data point (the others: dates, the question's)."""

    @property
    def total(self) -> int:
        return len(self.traced) + len(self.flagged)

    @property
    def ok(self) -> bool:
        return not self.flagged

    def summary(self) -> str:
        """One line saying exactly what was checked: '12 figures, each traced and attributed', or
        '2 of 12 figures attached to the wrong measure: 2.04% (...), ...'."""
        n = self.total
        if not n:
            return "no figures in the answer"
        noun = "figure" if n == 1 else "figures"
        if self.ok:
            if self.attributed == n:
                return f"{n} {noun}, each traced and attributed" if n > 1 else "1 figure, traced and attributed"
            return (f"{n} {noun} traced to the data, {self.attributed} attributed to a labelled data point"
                    " (the others have no label: dates, years, numbers of the question or of a message)")
        kinds = Counter(f["problem"] for f in self.flagged)
        if len(kinds) == 1:
            problem = next(iter(kinds))
            return f"{len(self.flagged)} of {n} figures {PROBLEMS[problem]}: {self._listed(problem)}"
        parts = [f"{k} {PROBLEMS[p]} ({self._listed(p)})" for p, k in kinds.items()]
        return f"{len(self.flagged)} of {n} figures flagged: " + "; ".join(parts)

    def _listed(self, problem: str) -> str:
        items = [f["figure"] + (f" ({f['detail']})" if f.get("detail") else "") for f in self.flagged if f["problem"] == problem]
        return ", ".join(items[:4]) + (f" and {len(items) - 4} more" if len(items) > 4 else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total, "traced": [{"figure": f, "source": s} for f, s in self.traced],
            "untraced": list(self.untraced), "flagged": [dict(f) for f in self.flagged], "attributed": self.attributed,
            "ok": self.ok, "summary": self.summary(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FigureCheck:
        flagged = [dict(f) for f in data.get("flagged") or []]
        untraced = list(data.get("untraced") or [])
        if not flagged:
            flagged = [{"figure": f, "problem": "untraced", "detail": ""} for f in untraced]
        return cls([(t["figure"], t["source"]) for t in data.get("traced") or []], untraced, flagged, int(data.get("attributed") or 0))


@dataclass(slots=True)
class _Written:
    figure: Figure
    start: int
    end: int
    sentence: int


def _located(answer: str) -> list[_Written]:
    out: list[_Written] = []
    position = 0
    bounds = [m.end() for m in _SENTENCE_END.finditer(answer)]
    for figure in find_figures(answer):
        start = answer.find(figure.text, position)
        if start < 0:
            continue
        end = start + len(figure.text)
        out.append(_Written(figure, start, end, sum(1 for b in bounds if b <= start)))
        position = end
    return out


class _Answer:
    """The answer's sentences, figures and the subjects it names, for the attribution rule."""

    def __init__(self, answer: str, points: list[DataPoint]):
        self.text = answer
        self.figures = _located(answer)
        starts = [0] + [m.end() for m in _SENTENCE_END.finditer(answer)]
        self.sentence_starts = starts
        names: dict[str, set[str]] = {}
        for p in points:
            if p.subject:
                names.setdefault(p.subject, set()).update(p.names)
        lowered = answer.lower()
        self.mentions: list[tuple[int, str]] = sorted(
            (m.start(), subject) for subject, ns in names.items() for n in ns
            for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", lowered)
        )
        self.labels = set().union(*(stems(p.measure) for p in points if not p.source.startswith("finding"))) if points else set()

    def named(self, start: int, end: int) -> set[str]:
        return {s for at, s in self.mentions if start <= at < end}

    def windows(self, i: int) -> tuple[int, int, int, int]:
        """(sentence start, segment start, figure start, clause end) of the i-th figure."""
        w = self.figures[i]
        sentence = self.sentence_starts[w.sentence] if w.sentence < len(self.sentence_starts) else 0
        previous = self.figures[i - 1] if i else None
        segment = previous.end if previous is not None and previous.sentence == w.sentence else sentence
        return sentence, segment, w.start, w.end + len(clause_rest(self.text, w.end))

    def subject_ok(self, i: int, point: DataPoint) -> bool:
        if not point.subject:
            return True
        sentence, segment, start, stop = self.windows(i)
        w = self.figures[i]
        clause = max([segment] + [m.end() for m in _CLAUSE_SEPARATOR.finditer(self.text, segment, start)])
        named = self.named(clause, start) or (self.named(sentence, start) | self.named(w.end, stop))
        if not named and w.sentence > 0:
            named = self.named(self.sentence_starts[w.sentence - 1], sentence)
        return not named or point.subject in named

    def measure_ok(self, i: int, point: DataPoint, words: frozenset[str]) -> bool:
        sentence, segment, start, stop = self.windows(i)
        segment = max([segment] + [m.end() for m in _CLAUSE_SEPARATOR.finditer(self.text, segment, start)])
        clause = stems(self.text[segment:start]) | stems(self.text[self.figures[i].end:stop])
        if shares_stem(clause, words):
            return True
        if shares_stem(clause, self.labels):
            return False  # the clause names another measure
        return shares_stem(stems(self.text[sentence:start]), words)


def _common_words(points: list[DataPoint]) -> set[str]:
    """Finding words too common to name a measure."""
    findings = [p for p in points if p.source.startswith("finding")]
    by_finding: dict[str, set[str]] = {}
    for p in findings:
        by_finding.setdefault(p.source + p.subject, set()).update(p.words)
    counts: Counter[str] = Counter(w for words in by_finding.values() for w in words)
    limit = max(2, _COMMON_SHARE * len({p.source + p.subject for p in findings}))
    return {w for w, c in counts.items() if c > limit}


def check_figures(answer: str, data: DataFigures) -> FigureCheck:
    """Trace every figure of `answer` to `data` and check it is attached to what it measures."""
    check = FigureCheck()
    text = _Answer(answer or "", data.points)
    common: set[str] = set()
    values = [(p, v) for p in data.points if (v := _value_of(p)) is not None]
    seen: dict[str, set[str]] = {}
    for i, w in enumerate(text.figures):
        figure = w.figure

        def flag(problem: str, detail: str = "", text: str = figure.text) -> None:
            if problem == "untraced":
                check.untraced.append(text)
            check.flagged.append({"figure": text, "problem": problem, "detail": detail})

        key = figure.text.lstrip("+-−$ ").lower()
        recurring = figure.kind in WHEN or (figure.digits == 1 and figure.unit >= 1)
        source = traces(figure, data)
        problem: tuple[str, str] | None = None
        good = None
        if source is None:
            problem = ("untraced", "")
        elif _unstated_arithmetic(text, i, data):
            problem = ("arithmetic", "")
        elif candidates := [p for p, v in values if figure.kind not in WHEN and same_value(figure, v)]:
            measured = [p for p in candidates if text.measure_ok(i, p, p.words - common if p.source.startswith("finding") else p.words)]
            good = next((p for p in measured if text.subject_ok(i, p)), None)
            if good is None and measured:
                problem = ("wrong_subject", f"{measured[0].subject}'s {measured[0].measure}")
            elif good is None:
                problem = ("wrong_measure", f"it is {candidates[0].subject + ' ' if candidates[0].subject else ''}{candidates[0].measure}".strip())
        where = good.source if good is not None else source or ""
        if key in seen and not recurring and (not where or where in seen[key]):  # the same figure of the same data point again
            flag("repeated")
            continue
        seen.setdefault(key, set()).add(where)
        if problem is not None:
            flag(*problem)
            continue
        check.traced.append((figure.text, where))
        check.attributed += good is not None
    return check


def _value_of(point: DataPoint) -> float | None:
    figures = find_figures(point.value)
    return figures[0].value if figures else None


def _unstated_arithmetic(text: _Answer, i: int, data: DataFigures) -> bool:
    """The figure is an operand or result of `a op b` / `= b` that no data sentence writes."""
    w = text.figures[i]
    if w.figure.kind in WHEN:
        return False
    before = text.figures[i - 1] if i else None
    between = text.text[before.end:w.start] if before is not None else ""
    after_eq = text.text[max(0, w.start - 3):w.start].strip().endswith("=")
    if not ((before is not None and before.figure.kind not in WHEN and _OPERATOR.match(between)) or after_eq):
        return False
    start = before.start if before is not None and _OPERATOR.match(between) else w.start - 3
    expression = " ".join(text.text[start:w.end].split())
    return not any(expression in " ".join(t.split()) for t in data.texts)
