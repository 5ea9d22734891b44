"""`run_batch`: read the input, skip what the output already holds, run the rest locally or on Ray."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from agent.batch._items import BadLine, read_input
from agent.batch._local import run_local
from agent.batch._ray import RayOptions, run_ray
from agent.batch._results import ResultLog
from agent.batch._worker import BatchConfig

__all__ = ["BatchSummary", "Progress", "run_batch"]


class Progress(Protocol):
    """What a run reports as it goes (the CLI draws a progress bar from it)."""

    def started(self, total: int, skipped: int) -> None: ...
    def finished(self, record: dict[str, Any]) -> None: ...


@dataclass
class BatchSummary:
    """What a run did: items run now, skipped (already in the output), failed, bad input lines."""

    out: str
    items: int = 0
    """Valid input items."""
    skipped: int = 0
    """Already in the output when the run started."""
    ran: int = 0
    errors: int = 0
    """Error lines written by this run."""
    bad_lines: list[BadLine] = field(default_factory=list)
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_requests: int = 0
    truncated: bool = False
    """A half-written last line (a killed run) was cut off the output and its item run again."""
    runner: str = "local"
    retried: int = 0
    """Error lines of an earlier run removed to run their items again (`retry_errors`)."""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.bad_lines

    @property
    def items_per_second(self) -> float:
        return self.ran / self.seconds if self.seconds > 0 else 0.0

    def add(self, record: dict[str, Any]) -> None:
        self.ran += 1
        self.errors += record.get("error") is not None
        usage = record.get("usage") or {}
        self.prompt_tokens += usage.get("prompt_tokens", 0)
        self.completion_tokens += usage.get("completion_tokens", 0)
        self.llm_requests += usage.get("requests", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out, "runner": self.runner, "items": self.items, "skipped": self.skipped, "ran": self.ran,
            "errors": self.errors, "bad_lines": [str(b) for b in self.bad_lines], "seconds": round(self.seconds, 3),
            "items_per_second": round(self.items_per_second, 3), "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "llm_requests": self.llm_requests, "truncated": self.truncated,
            "retried": self.retried,
        }

    def text(self) -> str:
        """The closing summary, a few lines for a person."""
        lines = [f"{self.ran} items run in {self.seconds:.1f}s ({self.items_per_second:.2f}/s, {self.runner}); "
                 f"{self.skipped} already in {self.out}; {self.errors} failed"]
        if self.llm_requests:
            lines.append(f"usage: {self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion tokens · {self.llm_requests} LLM calls")
        if self.retried:
            lines.append(f"{self.retried} items that had failed before ran again")
        if self.truncated:
            lines.append("a half-written last line of the output (an interrupted run) was removed; its item ran again")
        if self.bad_lines:
            lines.append(f"{len(self.bad_lines)} input lines not run (fix them and run again):")
            lines += [f"  {b}" for b in self.bad_lines[:20]]
            if len(self.bad_lines) > 20:
                lines.append(f"  ... and {len(self.bad_lines) - 20} more")
        return "\n".join(lines)


def run_batch(
    input_path: str | Path,
    out_path: str | Path,
    config: BatchConfig | None = None,
    *,
    ray: RayOptions | None = None,
    progress: Progress | None = None,
    retry_errors: bool = False,
) -> BatchSummary:
    """Run every item of `input_path` not yet in `out_path`, appending one line per item as it finishes.

    Locally (one process, `config.concurrency` items at once) or, with `ray`, on a Ray cluster.
    Safe to interrupt and run again: finished items are kept and skipped; with `retry_errors`,
    items whose line is an error run again (their error lines are removed first).
    """
    config = config or BatchConfig()
    started = time.perf_counter()
    parsed = read_input(input_path, config.catalog()[0])
    summary = BatchSummary(str(out_path), items=len(parsed.items), bad_lines=parsed.bad, runner="ray" if ray else "local")
    with ResultLog(out_path, retry_errors=retry_errors) as results:
        summary.truncated = results.truncated
        summary.retried = results.errors_before if retry_errors else 0
        todo = [item for item in parsed.items if item.key not in results.done]
        summary.skipped = len(parsed.items) - len(todo)
        if progress is not None:
            progress.started(len(todo), summary.skipped)

        def sink(record: dict[str, Any]) -> None:
            results.write(record)
            summary.add(record)
            if progress is not None:
                progress.finished(record)

        try:
            if todo and ray is not None:
                run_ray(todo, config, sink, ray)
            elif todo:
                asyncio.run(run_local(todo, config, sink))
        finally:
            summary.seconds = time.perf_counter() - started
    return summary
