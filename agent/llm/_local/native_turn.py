"""The tool turn of a model whose chat template declares tools (`native.NativeTemplate`).

The same steps as the backend's own format (the routing policy picks, the grammar writes the
arguments), but in the model's trained format: the template renders the tools, the history's calls
and tool results; the model's pick is scored as the template's call start followed by each name; a
call is the template's start, the name, the text between name and arguments, then the arguments
decoded under the grammar of the schema. With `auto`, when the policy answers in text and the model
has earned the decision (`calibration.Calibration.decides`), the model writes freely and the grammar
applies from the call start it may write (`lazy.text_or_trigger`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from core.types import LLMRequest, LLMResponse, Message, ToolCall, ToolSpec, Usage

from .cleanup import drop_unsupported_optionals, trim_repeated_items
from .engine import log_softmax
from .json_calls import with_fixed
from .lazy import text_or_trigger
from .native import NativeTemplate
from .prompt import name_text
from .quantities import percent_as_fraction

if TYPE_CHECKING:
    from ..llamacpp import LlamaCppChat

__all__ = ["lazy_turn", "native_calls", "native_option_scores", "native_prompt"]


def native_prompt(native: NativeTemplate, runner: Any, messages: list[Message], offered: list[ToolSpec]) -> list[int]:
    """The prompt tokens: the conversation and the tools, through the model's own template."""
    return runner.tokenize(native.render(messages, offered), special=True)


def native_option_scores(native: NativeTemplate, runner: Any, names: list[str]) -> np.ndarray:
    """After the prompt: log-probability of a call of each name (the call start, then the name), and
    last of answering in text (not writing the call start)."""
    fmt = native.format
    assert fmt is not None
    start = runner.continuation_logprobs(runner.tokenize(fmt.start, special=True)) if fmt.start else [0.0]
    p_call = float(np.exp(min(0.0, sum(start))))
    close = fmt.name_end[:1]
    named = np.array([s for s, _ in runner.score_options([fmt.start + name_text(n) + close for n in names], special=True)])
    calls = np.log(max(p_call, 1e-12)) + log_softmax(named)
    return np.append(calls, np.log(max(1.0 - p_call, 1e-12)))


def native_calls(llm: LlamaCppChat, plan: list[tuple[str, dict[str, Any]]], schemas: dict[str, dict[str, Any]],
                 prompt: list[int], budget: int, temperature: float, request_text: str,
                 on_text: Callable[[str], None]) -> tuple[list[ToolCall], str, int]:
    """Each planned call decoded after the prompt in the template's format: (calls, finish, tokens)."""

    native, runner = llm._loaded.native, llm._loaded.runner
    assert native is not None and native.format is not None
    fmt = native.format
    calls: list[ToolCall] = []
    finish, used = "tool_calls", 0
    for name, fixed in plan:
        schema = with_fixed(schemas[name], fixed)
        runner.prefill(prompt)
        runner.feed(runner.tokenize(fmt.start + name_text(name) + fmt.name_end, special=True))
        gen = llm._arguments(runner, schema, budget - used, temperature, check=lambda _text: on_text(""))
        used = runner.n_tokens - len(prompt) + used
        if gen.finish_reason == "length":
            if not calls:
                finish = "length"
                calls.append(ToolCall(f"call_{uuid.uuid4().hex[:12]}", name, gen.text))
            break
        kept = drop_unsupported_optionals(gen.text, schema, request_text, schemas[name])  # the choices a pinned call no longer lists
        arguments = percent_as_fraction(trim_repeated_items(kept, request_text), schema, request_text)
        calls.append(ToolCall(f"call_{uuid.uuid4().hex[:12]}", name, arguments))
    return calls, finish, used


def lazy_turn(llm: LlamaCppChat, request: LLMRequest, on_text: Callable[[str], None], usage: Usage,
              offered: list[ToolSpec], schemas: dict[str, dict[str, Any]], prompt: list[int], request_text: str) -> LLMResponse:
    """Free text, unless the model writes the template's call start: then one valid call (an offered
    function, the model's likeliest, and its arguments under the grammar)."""
    native, runner = llm._loaded.native, llm._loaded.runner
    assert native is not None and native.format is not None
    fmt = native.format
    budget = llm._budget(request)
    temperature = request.temperature or 0.0
    runner.prefill(prompt)
    outcome = text_or_trigger(runner, budget, fmt.trigger, temperature, llm._rng, on_text)
    usage.completion_tokens += outcome.tokens
    if not outcome.triggered:
        return LLMResponse(Message.assistant(outcome.text.strip()), usage, llm.model, outcome.finish_reason)
    names = [t.name for t in offered]
    scores = runner.score_options([name_text(n) + fmt.name_end[:1] for n in names], special=True)
    name = names[int(np.argmax([s for s, _ in scores]))]
    calls, finish, used = native_calls(llm, [(name, {})], schemas, outcome.context or prompt, budget - outcome.tokens,
                                       temperature, request_text, on_text)
    usage.completion_tokens += used
    return LLMResponse(Message.assistant(outcome.text.strip() or None, calls), usage, llm.model, finish)
