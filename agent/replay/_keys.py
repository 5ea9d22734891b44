"""Canonical match keys for recorded requests, and readable diffs between requests."""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
from typing import Any

_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b")
"""Date-times with a time of day (plain dates are data: fiscal periods, as-of dates)."""


def llm_canonical(model: str | None, request: dict[str, Any]) -> dict[str, Any]:
    """The request as matched: tool-call ids become positional placeholders, date-times `<timestamp>`.

    `request` is `LLMRequest.to_dict()` (already redacted); every field it has is part of the key.
    """
    data = copy.deepcopy(request)
    ids: dict[str, str] = {}

    def placeholder(call_id: Any) -> Any:
        if not call_id:
            return call_id
        return ids.setdefault(str(call_id), f"<call {len(ids)}>")

    for message in data.get("messages") or []:
        for call in message.get("tool_calls") or []:
            call["id"] = placeholder(call.get("id"))
        if message.get("tool_call_id"):
            message["tool_call_id"] = placeholder(message["tool_call_id"])
        if isinstance(message.get("content"), str):
            message["content"] = _TIMESTAMP.sub("<timestamp>", message["content"])
    return {"model": model, **data}


def tool_canonical(name: str, arguments: Any) -> dict[str, Any]:
    return {"tool": name, "arguments": arguments}


def key_of(canonical: dict[str, Any], *, without: tuple[str, ...] = ()) -> str:
    """A stable hash of a canonical request (sorted keys), leaving out the `without` fields."""
    body = {k: v for k, v in canonical.items() if k not in without}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def pretty_lines(canonical: dict[str, Any]) -> list[str]:
    """Indented JSON, with multi-line strings shown as raw `|` blocks, for diffs a person can read."""
    blocks: list[str] = []

    def split(value: Any) -> Any:
        if isinstance(value, str) and "\n" in value:
            blocks.append(value)
            return f"@@block{len(blocks) - 1}@@"
        if isinstance(value, dict):
            return {k: split(v) for k, v in value.items()}
        if isinstance(value, list):
            return [split(v) for v in value]
        return value

    out: list[str] = []
    for line in json.dumps(split(canonical), indent=2, ensure_ascii=False, default=str).splitlines():
        found = _BLOCK.search(line)
        if not found:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        out.append(line[: found.start()] + "|" + line[found.end():])
        out.extend(f"{indent}{text}".rstrip() or indent.rstrip() for text in blocks[int(found.group(1))].split("\n"))
    return out


_BLOCK = re.compile(r'"@@block(\d+)@@"')


def nearest(actual: list[str], candidates: list[tuple[int, list[str]]]) -> tuple[int, float] | None:
    """The candidate (index, similarity) most like `actual`, or None when there are none."""
    best: tuple[int, float] | None = None
    for index, lines in candidates:
        matcher = difflib.SequenceMatcher(None, lines, actual, autojunk=False)
        if best is not None and matcher.real_quick_ratio() <= best[1]:
            continue
        ratio = matcher.ratio()
        if best is None or ratio > best[1]:
            best = (index, ratio)
    return best


def unified_diff(recorded: list[str], actual: list[str], label: str, *, max_lines: int = 160) -> str:
    lines = list(difflib.unified_diff(recorded, actual, fromfile=label, tofile="actual request", lineterm="", n=3))
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more diff lines)"]
    return "\n".join(lines)


def summary(entry: dict[str, Any], limit: int = 100) -> str:
    """One line describing a recorded entry (for unused-recording reports)."""
    if entry.get("kind") == "tool":
        args = json.dumps(entry.get("arguments"), sort_keys=True, default=str)
        text = f"tool {entry.get('tool')}({args})"
    else:
        messages = (entry.get("request") or {}).get("messages") or []
        last = messages[-1] if messages else {}
        said = (last.get("content") or "").replace("\n", " ")
        text = f"llm {entry.get('method', 'complete')} (model {entry.get('model')!r}, {len(messages)} messages; last {last.get('role')}: {said!r})"
    return text if len(text) <= limit else text[: limit - 3] + "..."
