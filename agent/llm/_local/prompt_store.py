"""Prompt prefixes evaluated once per machine: their KV cache kept on disk, restored by later runs.

A long fixed prefix (the system message and the tool block, a few hundred to a few thousand tokens)
costs seconds to evaluate on two cores (the embedded model reads about 250 tokens a second). The
in-memory prefix cache (`Runner.prefill`) saves it within a process; this store saves it across
processes, as llama.cpp's `--prompt-cache` does.

What is kept is found, not declared: when two prompts in a row share a prefix of at least
`MIN_TOKENS` tokens, that prefix is stable (e.g. the system + tools part of a routing prompt and
of its content-free twin), and its KV cache is written with `llama_state_seq_save_file` (unless a
kept prefix already starts it). A prompt whose cache holds less than a kept prefix of it restores
that one and evaluates only the rest. Files live in one folder per model file and llama.cpp
version (the KV layout depends on both), at most `MAX_FILES` per folder, the least recently used
going first; a file that fails to load is deleted and costs an evaluation, never a turn.

The folder is `FINAGENT_PROMPT_CACHE` (`off`: keep nothing), else `~/.finagent/prompt-cache`.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import llama_cpp
import numpy as np

__all__ = ["ENV", "MIN_TOKENS", "PromptStore", "default_prompt_store", "file_identity"]

log = logging.getLogger(__name__)

ENV = "FINAGENT_PROMPT_CACHE"
MIN_TOKENS = 256
"""Shorter prefixes are cheap to evaluate (about a second on two cores): not worth a file."""
MAX_FILES = 8


def file_identity(path: str) -> list[Any]:
    """A model file as caches key it: resolved path, size, modification time (the path alone when unreadable)."""
    try:
        stat = os.stat(path)
    except OSError:
        return [path]
    return [os.path.realpath(path), stat.st_size, stat.st_mtime_ns]


def _digest(tokens: Sequence[int]) -> str:
    return hashlib.sha256(np.asarray(tokens, dtype=np.int32).tobytes()).hexdigest()[:32]


class PromptStore:
    """Kept prompt prefixes of one model (see the module docstring)."""

    def __init__(self, root: str | Path, model_path: str, n_ctx: int):
        identity = "|".join(map(str, [*file_identity(model_path), n_ctx, llama_cpp.__version__]))
        self.folder = Path(root).expanduser() / hashlib.sha256(identity.encode()).hexdigest()[:24]
        self.lengths: dict[str, int] = {}
        """Kept prefixes: file name -> token count (the name also holds the tokens' digest)."""
        self._scan()

    def _scan(self) -> None:
        self.lengths = {}
        if self.folder.is_dir():
            for f in self.folder.glob("*.kv"):
                n, _, _ = f.stem.partition("-")
                if n.isdigit():
                    self.lengths[f.name] = int(n)

    def _name(self, tokens: Sequence[int]) -> str:
        return f"{len(tokens)}-{_digest(tokens)}.kv"

    def longest(self, prompt: Sequence[int], longer_than: int) -> str | None:
        """The longest kept prefix of `prompt` (at most all but its last token) longer than `longer_than`."""
        for name, n in sorted(self.lengths.items(), key=lambda item: -item[1]):
            if longer_than < n < len(prompt) and name == self._name(prompt[:n]):
                return name
        return None

    def covers(self, prefix: Sequence[int]) -> bool:
        """Whether a kept prefix starts `prefix` (then keeping `prefix` too would add little)."""
        return any(n <= len(prefix) and name == self._name(prefix[:n]) for name, n in self.lengths.items())

    def restore(self, llama: Any, name: str) -> int:
        """Load kept prefix `name` into an emptied context; the tokens restored (0: none)."""
        path = self.folder / name
        n = self.lengths[name]
        tokens = (llama_cpp.llama_token * n)()
        count = ctypes.c_size_t(0)
        llama.n_tokens = 0
        llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        try:
            read = llama_cpp.llama_state_seq_load_file(llama._ctx.ctx, str(path).encode(), 0, tokens, n, ctypes.byref(count))
        except OSError:
            read = 0
        if not read or count.value != n or name != self._name(list(tokens)):
            log.warning("dropping the kept prompt %s: it did not load", path)
            llama._ctx.kv_cache_seq_rm(-1, 0, -1)
            self._forget(name)
            return 0
        llama.input_ids[:n] = np.ctypeslib.as_array(tokens)
        llama.n_tokens = n
        os.utime(path)  # recently used
        return n

    def keep(self, llama: Any, n: int) -> None:
        """Write the context's first `n` tokens (all it holds) as a kept prefix."""
        prefix = [int(t) for t in llama.input_ids[:n]]
        name = self._name(prefix)
        if n != llama.n_tokens or name in self.lengths:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.folder / f".{name}.tmp"
            array = (llama_cpp.llama_token * n)(*prefix)
            if not llama_cpp.llama_state_seq_save_file(llama._ctx.ctx, str(tmp).encode(), 0, array, n):
                tmp.unlink(missing_ok=True)
                return
            os.replace(tmp, self.folder / name)
        except OSError as e:
            log.warning("could not keep a prompt prefix in %s: %s", self.folder, e.strerror or e)
            return
        self.lengths[name] = n
        self._prune()

    def _prune(self) -> None:
        files = sorted(self.folder.glob("*.kv"), key=lambda f: f.stat().st_mtime)
        for f in files[: max(0, len(files) - MAX_FILES)]:
            self._forget(f.name)

    def _forget(self, name: str) -> None:
        self.lengths.pop(name, None)
        try:
            (self.folder / name).unlink(missing_ok=True)
        except OSError:
            pass


def default_prompt_store(model_path: str, n_ctx: int) -> PromptStore | None:
    """The store of `FINAGENT_PROMPT_CACHE` (None when `off`), else of ~/.finagent/prompt-cache."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() == "off":
        return None
    return PromptStore(value or Path.home() / ".finagent" / "prompt-cache", model_path, n_ctx)
