"""`Cassette`: one JSON file of recorded LLM requests and tool calls, recorded or replayed."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import tempfile
import threading
from collections import deque
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from core.redact import Redactor
from tools import Executor, Tool, ToolError, execute_and_dump

from ._errors import CassetteError, CassetteMismatchError, CassetteNotFoundError, UnusedRecordingsError
from ._keys import key_of, llm_canonical, nearest, pretty_lines, summary, tool_canonical, unified_diff

FORMAT_VERSION = 1
Mode = Literal["record", "replay", "once"]
Source = Literal["replay", "live"]


class Cassette:
    """Records a run's LLM requests and atomic-tool calls into `path`, or replays them.

    `mode`: `record` (run live, write the file on `close`), `replay` (serve recordings; no network,
    model or data), `once` (record if the file is missing, else replay). In replay, `llm="live"`
    or `tools="live"` runs that side for real against the other side's recordings. `strict`:
    an unmatched request fails, and so do recordings left unused at `close`. `redact`: extra regex
    patterns removed from everything written (on top of API keys, tokens and key shapes).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        mode: Mode = "replay",
        *,
        llm: Source = "replay",
        tools: Source = "replay",
        strict: bool = True,
        redact: list[str] | tuple[str, ...] = (),
    ):
        if mode not in ("record", "replay", "once"):
            raise ValueError(f"unknown cassette mode {mode!r}: use record, replay or once")
        if llm not in ("replay", "live") or tools not in ("replay", "live"):
            raise ValueError("llm= and tools= take 'replay' or 'live'")
        self.path = Path(path)
        self.requested_mode = mode
        self.mode: Literal["record", "replay"] = ("replay" if self.path.exists() else "record") if mode == "once" else mode
        self.llm_source, self.tools_source = llm, tools
        self.strict = strict
        self.redact = Redactor(redact)
        self.mismatches: list[CassetteMismatchError] = []
        self.closed = False
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any] | None] = []
        """Recorded order; while recording, a slot is None until its call finishes."""
        self._recordings: list[dict[str, Any]] = []
        """Replay: the loaded recordings (never an empty slot)."""
        self._llms: list[dict[str, Any]] = []
        self._wrapped = 0
        self._used: set[int] = set()
        self._queues: dict[str, deque[int]] = {}
        self._lines: dict[int, list[str]] = {}
        self._tool_executor: Executor | None = None
        self._completed = 0
        self._tool_rank: dict[int, int] = {}
        if self.mode == "replay":
            self._load()

    def __repr__(self) -> str:
        return f"Cassette({str(self.path)!r}, mode={self.mode!r})"

    @classmethod
    def from_options(cls, record: str | None = None, replay: str | None = None) -> Cassette | None:
        """The cassette of the CLI's `--record PATH` / `--replay PATH` options (None for neither)."""
        if record and replay:
            raise ValueError("use either --record or --replay, not both")
        if not (record or replay):
            return None
        return cls(record or replay or "", mode="record" if record else "replay")

    # -- public API -------------------------------------------------------------------------
    @property
    def recording(self) -> bool:
        return self.mode == "record"

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The recorded entries in order (replay: as loaded; record: as recorded so far, unredacted)."""
        return [e for e in self._entries if e is not None]

    def wrap_llm(self, llm: Any = None, *, model: str | None = None) -> Any:
        """An LLM that records through `llm` or replays recordings (then `llm` may be None)."""
        from ._llm import CassetteLLM

        index, self._wrapped = self._wrapped, self._wrapped + 1
        if self.recording:
            if llm is None:
                raise CassetteError(f"cannot record {self.path}: no LLM to record with (the file does not exist yet)")
            meta = {"model": getattr(llm, "model", None), "context_window": getattr(llm, "context_window", None),
                    "answer_mode": getattr(llm, "answer_mode", "free")}
            self._llms.append(meta)
        else:
            if self.llm_source == "live" and llm is None:
                raise CassetteError("llm='live' needs a real LLM to wrap")
            meta = self._llms[index] if index < len(self._llms) else {}
        return CassetteLLM(self, llm, meta, model=model)

    @property
    def tool_executor(self) -> Executor:
        """The `ToolRunner` executor: records real tool runs, or replays their results and errors."""
        if self._tool_executor is None:
            self._tool_executor = self.wrap_executor(execute_and_dump)
        return self._tool_executor

    def wrap_executor(self, executor: Executor = execute_and_dump) -> Executor:
        """Like `tool_executor`, around another live executor."""

        async def run(tool: Tool, args: BaseModel) -> Any:
            arguments = args.model_dump(mode="json")
            if self.recording:
                return await self._record_tool(executor, tool, args, arguments)
            if self.tools_source == "live":
                return await executor(tool, args)
            canonical = tool_canonical(tool.name, self.redact(arguments))
            index = self._take(key_of(canonical), None, canonical, "tool")
            if index is None:
                return await executor(tool, args)  # not strict: run the unrecorded call for real
            entry = self._recordings[index]
            await self._finish_in_recorded_order(index, entry)
            error = entry.get("error")
            if error is not None:
                raise ToolError(error.get("message", ""), kind=error.get("kind"), transient=error.get("transient", False))
            return copy.deepcopy(entry.get("result"))

        return run

    def assert_complete(self) -> None:
        """Replay: raise the first-seen mismatches, then any recording left unused (strict only)."""
        if self.mismatches:
            if len(self.mismatches) == 1:
                raise self.mismatches[0]
            text = "\n\n".join(str(m) for m in self.mismatches)
            raise CassetteMismatchError(f"{len(self.mismatches)} requests did not match {self.path}:\n\n{text}")
        if self.recording or not self.strict:
            return
        unused = [f"#{i} {summary(e, 160)}" for i, e in enumerate(self._recordings) if i not in self._used and self._replayed(e)]
        if unused:
            listing = "\n".join(f"  {u}" for u in unused)
            raise UnusedRecordingsError(
                f"{len(unused)} recordings in {self.path} were never requested (the run made fewer or "
                f"different calls; re-record with mode='record' if this is intended):\n{listing}",
                unused,
            )

    def close(self, *, check: bool = True, save: bool = True) -> None:
        """Record: write the file. Replay: with `check`, run `assert_complete`. Idempotent."""
        if self.closed:
            return
        self.closed = True
        if self.recording:
            if save:
                self.save()
        elif check:
            self.assert_complete()

    def save(self) -> Path:
        """Write the recordings (redacted, indented, recorded order) atomically."""
        data = {
            "format_version": FORMAT_VERSION,
            "llms": self._llms,
            "entries": [e for e in self._entries if e is not None],
        }
        data = self.redact(data)
        for entry in data["entries"]:
            self._redact_stream(entry)
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return self.path

    def _redact_stream(self, entry: dict[str, Any]) -> None:
        """A secret split across streamed deltas: keep the redacted text as one delta."""
        deltas = entry.get("stream")
        if deltas:
            whole = self.redact.text("".join(deltas))
            if whole != "".join(deltas):
                entry["stream"] = [whole]

    def __enter__(self) -> Cassette:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(check=exc_type is None, save=True)

    # -- the recorder API (CassetteLLM, the tool executor) -------------------------------------
    def reserve_slot(self) -> int:
        """A slot in recorded order, taken when the request starts (so per-key order = start order)."""
        with self._lock:
            self._entries.append(None)
            return len(self._entries) - 1

    def fill_slot(self, index: int, entry: dict[str, Any] | None) -> None:
        """The recording of a reserved slot (None: the call was abandoned and is not recorded)."""
        with self._lock:
            self._entries[index] = entry

    def take_llm(self, model: str | None, request: dict[str, Any], *, live_fallback: bool) -> dict[str, Any] | None:
        """The recording that answers an LLM request, or None to run it live (`llm='live'`, or not
        strict and `live_fallback`); a mismatch error otherwise."""
        if self.llm_source == "live":
            return None
        canonical = llm_canonical(model, self.redact(request))
        key = key_of(canonical, without=("model",))
        index = self._take(key, model, canonical, "llm")
        if index is not None:
            return self._recordings[index]
        if live_fallback:
            return None
        error = self._mismatch(canonical, "llm", key)  # not strict, but nothing live to fall back on
        self.mismatches.append(error)
        raise error

    async def _record_tool(self, executor: Executor, tool: Tool, args: BaseModel, arguments: Any) -> Any:
        index = self.reserve_slot()
        entry: dict[str, Any] = {"kind": "tool", "tool": tool.name, "arguments": arguments}
        try:
            value = await executor(tool, args)
        except Exception as e:
            if isinstance(e, ToolError):
                error = {"kind": e.kind, "message": str(e), "transient": bool(e.transient)}
            else:  # what ToolRunner would report for it
                error = {"kind": getattr(e, "kind", None) or "exception", "message": f"{type(e).__name__}: {e}", "transient": False}
            self.fill_slot(index, {**entry, "error": error, "completed": self._next_completed()})
            raise
        except BaseException:  # cancelled: nothing happened that a replay must reproduce
            self.fill_slot(index, None)
            raise
        self.fill_slot(index, {**entry, "result": copy.deepcopy(value), "completed": self._next_completed()})
        return value

    def _next_completed(self) -> int:
        with self._lock:
            self._completed += 1
            return self._completed - 1

    # -- replay -----------------------------------------------------------------------------
    def _load(self) -> None:
        if not self.path.exists():
            raise CassetteNotFoundError(
                f"no cassette at {self.path}: record it first (mode='record' or 'once'; pytest --record-mode=once)"
            )
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise CassetteError(f"{self.path} is not valid JSON: {e}") from None
        version = data.get("format_version") if isinstance(data, dict) else None
        if version != FORMAT_VERSION:
            raise CassetteError(f"{self.path}: unsupported cassette format_version {version!r} (expected {FORMAT_VERSION})")
        self._llms = list(data.get("llms") or [])
        self._recordings = list(data.get("entries") or [])
        self._entries = list(self._recordings)
        tools = [i for i, e in enumerate(self._recordings) if e.get("kind") == "tool"]
        self._tool_rank = {index: rank for rank, index in enumerate(tools)}
        for index, entry in enumerate(self._recordings):
            canonical = self._canonical(entry)
            key = key_of(canonical, without=("model",)) if entry.get("kind") != "tool" else key_of(canonical)
            self._queues.setdefault(key, deque()).append(index)

    async def _finish_in_recorded_order(self, index: int, entry: dict[str, Any]) -> None:
        """Concurrent calls finish in their recorded completion order (ToolRunner events, and
        `RunContext.missing`, list calls as they finish): each waits loop turns by its completion
        rank relative to its start rank."""
        completed = entry.get("completed")
        if not isinstance(completed, int):
            return
        for _ in range(completed - self._tool_rank[index] + len(self._tool_rank)):
            await asyncio.sleep(0)

    @staticmethod
    def _canonical(entry: dict[str, Any]) -> dict[str, Any]:
        if entry.get("kind") == "tool":
            return tool_canonical(entry.get("tool", ""), entry.get("arguments"))
        return llm_canonical(entry.get("model"), entry.get("request") or {})

    def _replayed(self, entry: dict[str, Any]) -> bool:
        source = self.tools_source if entry.get("kind") == "tool" else self.llm_source
        return source == "replay"

    def _take(self, key: str, model: str | None, canonical: dict[str, Any], kind: str) -> int | None:
        """The next unused recording for `key` (and `model`, unless None); None or a mismatch error if none."""
        with self._lock:
            queue = self._queues.get(key) or deque()
            for index in list(queue):
                if model is None or kind == "tool" or self._recordings[index].get("model") == model:
                    queue.remove(index)
                    self._used.add(index)
                    return index
        error = self._mismatch(canonical, kind, key)
        if not self.strict:
            return None
        self.mismatches.append(error)
        raise error

    def _mismatch(self, canonical: dict[str, Any], kind: str, key: str) -> CassetteMismatchError:
        actual = pretty_lines(canonical)
        what = f"tool call {canonical.get('tool')}" if kind == "tool" else f"LLM request (model {canonical.get('model')!r})"
        same = [i for i, e in enumerate(self._recordings) if (e.get("kind") == "tool") == (kind == "tool")]
        repeats = [i for i in same if key_of(self._canonical(self._recordings[i]), without=() if kind == "tool" else ("model",)) == key]
        if repeats and all(i in self._used for i in repeats):
            head = (f"{what} matches {len(repeats)} recording(s) in {self.path} (#{', #'.join(map(str, repeats))}), "
                    f"all already replayed: the run repeats it more often than the recorded one")
            return CassetteMismatchError(head)
        unused = [i for i in same if i not in self._used] or same
        found = nearest(actual, [(i, self._pretty(i)) for i in unused])
        if found is None:
            return CassetteMismatchError(f"{what} has no recording in {self.path} (it holds no {kind} requests)\n"
                                         + "\n".join(actual[:60]))
        index, ratio = found
        diff = unified_diff(self._pretty(index), actual, f"recorded #{index}")
        return CassetteMismatchError(
            f"{what} matches no recording in {self.path}.\n"
            f"Nearest: recording #{index} ({ratio:.0%} similar{', already used' if index in self._used else ''}); "
            f"diff (- recorded, + actual):\n{diff}"
        )

    def _pretty(self, index: int) -> list[str]:
        if index not in self._lines:
            self._lines[index] = pretty_lines(self._canonical(self._recordings[index]))
        return self._lines[index]
