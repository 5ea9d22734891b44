"""Rich rendering for the chatbot: the live view of a turn, tables, usage, traces and tool lists."""

from __future__ import annotations

import json
import time
from typing import Any

from rich.console import Console
from rich.status import Status
from rich.table import Table
from rich.text import Text

from agent.chat._charts import is_series, series_chart
from agent.events import (
    ErrorEvent,
    FiguresChecked,
    FinalAnswer,
    OrchestrationFinished,
    OrchestrationStarted,
    RouteDecided,
    RouteRejected,
    TokenDelta,
)
from tools import ToolCallFinished, ToolCallStarted


def call_text(name: str, arguments: dict[str, Any]) -> str:
    """`name(a=1, b='x')`, leaving out arguments that are None."""
    args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in arguments.items() if v is not None)
    return f"{name}({args})"


def table_of(data: dict[str, Any]) -> Table:
    """A computed table (`{title, columns, rows, note}`) as a rich Table, numbers formatted."""
    from orchestrations import fmt

    table = Table(title=data.get("title") or None, caption=data.get("note") or None, title_justify="left", caption_justify="left")
    rows = data.get("rows") or []
    for i, column in enumerate(data.get("columns") or []):
        numeric = bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows if i < len(r))
        table.add_column(str(column), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*(fmt(v) for v in row))
    return table


def findings_text(findings: list[dict[str, Any]]) -> Text:
    """The findings as bullets, their figures highlighted."""
    text = Text("findings:\n", style="bold")
    for f in findings:
        line = Text(f"  • {f['text']}\n")
        for figure in f.get("figures") or []:
            line.highlight_words([figure], style="bold")
        text.append_text(line)
    text.rstrip()
    return text


def check_text(check: FiguresChecked) -> str:
    """The check's line, saying exactly what was checked: '✓ 12 figures, each traced and attributed',
    '⚠ 2 of 12 figures attached to the wrong measure: ...'."""
    if check.total == 0:
        return "✓ no figures in the answer"
    summary = check.summary
    if not summary:  # an event without its summary (built by hand, or recorded before it had one)
        summary = (f"{len(check.untraced)} of {check.total} figures not traced to the data: {', '.join(check.untraced)}"
                   if check.untraced else f"all {check.total} figures traced to the data")
    return ("✓ " if check.ok else "⚠ ") + summary


def figures_line(check: FiguresChecked) -> Text:
    """One line under the answer (`check_text`), green when every figure passes, yellow otherwise."""
    return Text(check_text(check), style="dim" if check.total == 0 else "green" if check.ok else "yellow")


def usage_line(final: FinalAnswer, seconds: float) -> Text:
    u = final.usage
    return Text(
        f"usage: {u.prompt_tokens:,} prompt + {u.completion_tokens:,} completion = {u.total_tokens:,} tokens"
        f" · {final.llm_calls} LLM calls · {seconds:.1f}s",
        style="dim",
    )


class TurnView:
    """Shows one turn as it happens: a spinner for what is running, a line per decision and tool
    call (with its duration), the tables, the answer streamed as written, then the token usage."""

    def __init__(self, console: Console):
        self.console = console
        self.started = time.perf_counter()
        self.streaming = False
        self.answered = False
        self._status: Status | None = console.status("routing the question…", spinner="dots")
        self._status.start()
        self._running: set[str] = set()

    def _line(self, text: str, style: str = "") -> None:
        self.console.print(Text(text, style=style), soft_wrap=True)

    def _state(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)

    def stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None

    def handle(self, event: Any) -> None:
        if isinstance(event, TokenDelta):
            if not self.streaming:
                self.stop()
                self.streaming = True
                self.console.print(Text("answer:", style="bold green"))
            self.console.file.write(event.text)
            self.console.file.flush()
            return
        if self.streaming and not isinstance(event, (FinalAnswer, ErrorEvent)):
            self.console.file.write("\n")
            self.streaming = False
        if isinstance(event, RouteDecided):
            if event.calls:
                names = " + ".join(call_text(c["name"], c["arguments"]) for c in event.calls)
                self._line(f"→ route: {names}", "bold cyan")
                self._state(f"running {len(event.calls)} orchestration(s)…")
            else:
                self._line("→ route: none (the model answers directly)", "bold cyan")
                self._state("writing the answer…")
        elif isinstance(event, RouteRejected):
            self._line(f"↻ routing attempt {event.attempt} rejected: {'; '.join(event.errors)}", "yellow")
        elif isinstance(event, OrchestrationStarted):
            self._line(f"▸ {event.name} started", "cyan")
        elif isinstance(event, ToolCallStarted):
            self._running.add(event.call_id)
            self._state(f"calling {call_text(event.tool, event.arguments)}…")
        elif isinstance(event, ToolCallFinished):
            self._running.discard(event.call_id)
            mark, style = ("✓", "green") if event.ok else ("✗", "red")
            cached = " (cached)" if event.cached else ""
            error = f": {event.error}" if event.error else ""
            self._line(f"  {mark} {call_text(event.tool, event.arguments)} {event.duration_s:.3f}s{cached}{error}", style)
        elif isinstance(event, OrchestrationFinished):
            self._line(f"■ {event.name} finished in {event.duration_s:.2f}s", "cyan")
            for table in event.tables.values():
                self.console.print(series_chart(table) if is_series(table) else table_of(table))
            for missing in event.missing:
                self._line(f"  missing: {missing}", "yellow")
            if event.findings:
                self.console.print(findings_text(event.findings))
            self._state("writing the answer…")
        elif isinstance(event, FiguresChecked):
            if event.rewritten is not None:
                self.console.print(Text("rewritten answer (flagged figures corrected):", style="bold green"))
                self.console.print(Text(event.rewritten), soft_wrap=True)
            self.console.print(figures_line(event))
        elif isinstance(event, FinalAnswer):
            self.stop()
            if self.streaming:
                self.console.file.write("\n")
                self.console.file.flush()
            self.streaming = False
            self.answered = True
            self.console.print(usage_line(event, time.perf_counter() - self.started))
        elif isinstance(event, ErrorEvent):
            self.stop()
            if self.streaming:
                self.console.file.write("\n")
            self.streaming = False
            self._line(f"error: {event.message}", "bold red")
            if event.kind == "LLMConnectionError":
                self._line("  start the model server (e.g. `finagent serve`) or check --base-url; /backend local switches to the embedded model", "yellow")
            elif event.kind == "LLMAuthError":
                self._line("  set OPENAI_API_KEY, or /backend local to use the embedded model offline", "yellow")

    def cancelled(self) -> None:
        self.stop()
        if self.streaming:
            self.console.file.write("\n")
        self._line("(turn cancelled)", "yellow")


def trace_table(trace: list[dict[str, Any]]) -> Table:
    """The last turn's events, one row each; the answer's token deltas are merged into one row."""
    table = Table(title="trace of the last turn", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("event")
    table.add_column("details", overflow="fold")
    rows: list[tuple[str, str]] = []
    for event in trace:
        kind = event.get("type", "?")
        if kind == "TokenDelta":
            if rows and rows[-1][0] == "TokenDelta":
                rows[-1] = (kind, rows[-1][1] + event["text"])
            else:
                rows.append((kind, event["text"]))
            continue
        details: dict[str, Any] = {k: v for k, v in event.items() if k not in ("type", "result", "started_at", "finished_at")}
        if kind == "ToolCallFinished":
            details["duration_s"] = round(event["finished_at"] - event["started_at"], 4)
        if kind == "OrchestrationFinished":
            details["tables"] = [t.get("title") for t in (event.get("tables") or {}).values()]
            details["duration_s"] = round(event["duration_s"], 4)
        if kind == "FinalAnswer":
            details["text"] = f"{len(details.get('text') or '')} characters"
        rows.append((kind, json.dumps(details, default=str)))
    for i, (kind, text) in enumerate(rows, 1):
        if kind == "TokenDelta":
            text = json.dumps(text if len(text) <= 200 else text[:200] + "…")
        table.add_row(str(i), kind, Text(text))
    return table


def tools_table(orchestrations: dict[str, Any], tools: dict[str, Any]) -> Table:
    table = Table(title="what the agent can use", title_justify="left")
    table.add_column("kind")
    table.add_column("name", style="bold")
    table.add_column("description", overflow="fold")
    for name, cls in orchestrations.items():
        table.add_row("orchestration", name, cls.description)
    for name, t in tools.items():
        table.add_row("tool", name, t.description)
    return table
