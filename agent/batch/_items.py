"""Batch input: one JSON object a line, a question or a direct call, each bad line named by its number.

    {"id": "q1", "question": "How healthy is JNJ?"}
    {"id": 7, "orchestration": "financial_health_assessment", "arguments": {"symbol": "JNJ"}}

An id is a string or an integer and is unique in the file. A direct call names an orchestration
the run offers, with arguments valid for it (checked here, before anything runs); it may also carry
a `question` that its answer addresses. Other keys are ignored (a case's expected answer, notes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from orchestrations import Orchestration
from tools import ToolError

__all__ = ["BatchItem", "BadLine", "ParsedInput", "parse_lines", "read_input", "id_key"]


@dataclass(frozen=True, slots=True)
class BatchItem:
    """One unit of work: a question for the agent, or a direct call of an orchestration."""

    id: str | int
    line: int
    """Its line number in the input file (1-based)."""
    question: str | None = None
    orchestration: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return id_key(self.id)

    @property
    def is_call(self) -> bool:
        return self.orchestration is not None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "line": self.line}
        if self.question is not None:
            data["question"] = self.question
        if self.orchestration is not None:
            data.update(orchestration=self.orchestration, arguments=self.arguments)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatchItem:
        return cls(data["id"], data["line"], data.get("question"), data.get("orchestration"), dict(data.get("arguments") or {}))


@dataclass(frozen=True, slots=True)
class BadLine:
    """An input line that cannot run, and why (it is not written to the output: fix it and run again)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ParsedInput:
    items: list[BatchItem] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)


def id_key(value: Any) -> str:
    """The identity of an id across input and output (`7` and `"7"` are different ids)."""
    return json.dumps(value)


def read_input(path: str | Path, orchestrations: Mapping[str, type[Orchestration[Any]]]) -> ParsedInput:
    """Parse a JSONL file (see the module docstring); blank lines are skipped."""
    try:
        with open(path, encoding="utf-8") as f:
            return parse_lines(f, orchestrations)
    except FileNotFoundError:
        raise FileNotFoundError(f"input file not found: {path}") from None
    except UnicodeDecodeError as e:
        raise ValueError(f"input file {path} is not UTF-8 text: {e.reason} at byte {e.start}") from None


def parse_lines(lines: Iterable[str], orchestrations: Mapping[str, type[Orchestration[Any]]]) -> ParsedInput:
    """Items and bad lines of JSONL text; `orchestrations` are the direct calls the run accepts."""
    parsed = ParsedInput()
    seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            item = _item(number, text, orchestrations)
        except ValueError as e:
            parsed.bad.append(BadLine(number, str(e)))
            continue
        if item.key in seen:
            parsed.bad.append(BadLine(number, f"duplicate id {item.id!r} (first on line {seen[item.key]})"))
            continue
        seen[item.key] = number
        parsed.items.append(item)
    return parsed


def _item(number: int, text: str, orchestrations: Mapping[str, type[Orchestration[Any]]]) -> BatchItem:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} at column {e.colno}") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    if "id" not in data:
        raise ValueError('no "id"')
    id_ = data["id"]
    if isinstance(id_, bool) or not isinstance(id_, (str, int)) or id_ == "":
        raise ValueError(f'"id" must be a non-empty string or an integer, got {id_!r}')
    question = data.get("question")
    if question is not None and (not isinstance(question, str) or not question.strip()):
        raise ValueError('"question" must be a non-empty string')
    name = data.get("orchestration")
    if name is None:
        if "arguments" in data:
            raise ValueError('"arguments" without "orchestration"')
        if question is None:
            raise ValueError('needs "question", or "orchestration" and "arguments"')
        return BatchItem(id_, number, question=question.strip())
    if not isinstance(name, str) or name not in orchestrations:
        known = ", ".join(sorted(orchestrations)) or "none"
        raise ValueError(f"unknown orchestration {name!r}; known: {known}")
    arguments = data.get("arguments", {})
    if not isinstance(arguments, dict):
        raise ValueError(f'"arguments" must be a JSON object, got {type(arguments).__name__}')
    try:
        params: BaseModel = orchestrations[name].validate(arguments)
    except ToolError as e:
        raise ValueError(str(e)) from None
    return BatchItem(id_, number, question.strip() if question else None, name, params.model_dump(mode="json"))
