"""The model's own pick among the offered functions, and how much it weighs.

`model_probabilities`: the model's probability of each function (then "answer in text") as the
first call: the log-probability of `[{"name":"NAME"` after the request (or the template's own call
opening), minus the same after a content-free request (Zhao et al. 2021, cached per tool list),
softmaxed. Both prompts share the cached system + tools prefix.

`calibrated_router`: the router with the model's weight set from how well it picks the authors'
examples (`calibration.py`), once per catalog (every shortlist of it shares the result) and kept
across runs (`calibration_store.py`); unchanged when calibration is off or the policy is not ours.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.types import LLMRequest, Message, ToolSpec

from .calibration import Case, calibrate, calibrated_policy, cases_of, evidence_pick
from .calibration_store import calibration_key
from .engine import log_softmax
from .lru import cached
from .native_turn import native_option_scores
from .policy import Evidence, RoutingPolicy
from .prompt import CALLS_OPEN, NONE_NAME, name_text
from .router import TEXT_EXAMPLES, Router

if TYPE_CHECKING:
    from ..llamacpp import LlamaCppChat

__all__ = ["CONTENT_FREE", "calibrated_router", "model_decides", "model_probabilities", "model_settled"]

CONTENT_FREE = "N/A"
"""The content-free request the model's option scores are calibrated against (Zhao et al. 2021)."""


def model_probabilities(llm: LlamaCppChat, messages: list[Message], offered: list[ToolSpec], offer_none: bool,
                        prompt: list[int]) -> np.ndarray:
    """The model's probability of each function, then of "answer in text" (see the module docstring)."""
    runner = llm._loaded.runner
    native = llm._loaded.native
    options = [t.name for t in offered] + [NONE_NAME]
    texts = [CALLS_OPEN + name_text(n) + '"' for n in options]

    def scores() -> np.ndarray:
        if native is not None:
            return native_option_scores(native, runner, options[:-1])
        return np.array([s for s, _ in runner.score_options(texts)])

    def content_free() -> np.ndarray:
        plain = [m for m in messages if m.role == "system"] + [Message.user(CONTENT_FREE)]
        runner.prefill(llm._routing_prompt(plain, offered, offer_none))
        return scores()

    system = tuple(m.content or "" for m in messages if m.role == "system")
    free = cached(llm._content_free, (tuple(options), system, offer_none), content_free)
    runner.prefill(prompt)
    probabilities = np.exp(log_softmax(scores() - free))
    if not offer_none:
        probabilities[-1] = 0.0
    return probabilities


def calibrated_router(llm: LlamaCppChat, router: Router, offered: list[ToolSpec], request: LLMRequest,
                      catalog: tuple[str, ...]) -> Router:
    """`router` with the model's earned weight (see the module docstring)."""
    if not llm.calibrate or not isinstance(router.policy, RoutingPolicy) or not router.policy.model_weight:
        return router
    system = [m for m in request.messages if m.role == "system"]
    stored_key = calibration_key(llm.model_path, request.tools, [m.content or "" for m in system], TEXT_EXAMPLES,
                                 router.policy.model_weight)
    if catalog not in llm.calibrations and llm.calibration_store is not None:
        kept = llm.calibration_store.get(stored_key)
        if kept is not None:
            llm.calibrations[catalog] = kept
    if catalog in llm.calibrations:
        router.policy = calibrated_policy(router.policy, llm.calibrations[catalog])
        return router

    def model_pick(case: Case) -> int:
        asked = [*system, Message.user(case.text)]
        prompt = llm._routing_prompt(asked, offered, True)
        return int(np.argmax(model_probabilities(llm, asked, offered, True, prompt)))

    result = calibrate(cases_of(router, offered), model_pick, lambda case: evidence_pick(router, case), router.policy.model_weight)
    llm.calibrations[catalog] = result
    if llm.calibration_store is not None:
        llm.calibration_store.put(stored_key, result)
    router.policy = calibrated_policy(router.policy, result)
    return router


def model_decides(llm: LlamaCppChat, catalog: tuple[str, ...]) -> bool:
    """Whether the model earned the call-or-answer decision on this catalog."""
    result = llm.calibrations.get(catalog)
    return result is not None and result.decides


def model_settled(policy: Any, evidence: Evidence) -> bool:
    """Whether the policy decides the same whichever option the model would put all its weight on
    (each function, and "answer in text"): then asking the model cannot change the calls, and it
    is not asked (its say is linear in its probabilities, so the corners bound every mixture)."""
    n = len(evidence.names)
    decisions = set()
    for option in range(n + 1):
        corner = np.zeros(n + 1)
        corner[option] = 1.0
        decisions.add(tuple(policy.decide(replace(evidence, model=corner))))
        if len(decisions) > 1:
            return False
    return True
