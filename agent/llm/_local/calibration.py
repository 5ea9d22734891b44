"""How much the model's own pick weighs in the routing policy: as much as it has earned.

When a tool list is first seen, the backend asks the model to pick among the tools (and "answer in
text") for the authors' own example requests and the "no call" examples (`router.TEXT_EXAMPLES`),
and the evidence (TF-IDF similarity, each example left out of its own documents) to pick for the
same requests. The model's weight follows how much better than the evidence it picks:

    earned = clip((model accuracy - evidence accuracy) / (1 - evidence accuracy), 0, 1)
    weight = base + (DECISIVE_WEIGHT - base) * earned

A model that picks no better than the evidence keeps the `base` weight (outvoted); one that picks
right where the evidence does not gets up to DECISIVE_WEIGHT, more than any similarity and fit can
outweigh, and takes part in the call-or-answer decision (`RoutingPolicy.model_decides`). Examples
are asked round-robin over the tools and the text option, and asking stops as soon as the outcome
is settled (the model's Wilson interval clears the evidence's accuracy either way) or after
MAX_EXAMPLES. Nothing here knows a tool or a language.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import zip_longest

import numpy as np

from core.types import ToolSpec

from .evidence import split_examples
from .policy import RoutingPolicy
from .router import TEXT_EXAMPLES, Router

__all__ = ["Calibration", "Case", "DECISIVE_WEIGHT", "calibrate", "calibrated_policy", "cases_of", "evidence_pick"]

DECISIVE_WEIGHT = 2.0
"""The weight of a model that picks every example right where the evidence does not."""
DECIDES_FROM = 1.0
"""From this weight on, the model's pick outweighs any similarity lead: it decides, call or text included."""
MIN_EXAMPLES = 8
MAX_EXAMPLES = 32
Z = 1.64
"""One-sided 95 % Wilson bounds."""


@dataclass(frozen=True)
class Case:
    """One example request, the option it expects (`n` = answer in text) and its index document."""

    text: str
    expected: int
    doc: int


@dataclass(frozen=True)
class Calibration:
    weight: float
    examples: int
    model_accuracy: float
    evidence_accuracy: float

    @property
    def decides(self) -> bool:
        return self.weight >= DECIDES_FROM

    def to_dict(self) -> dict[str, float | int | bool]:
        return {"model_weight": round(self.weight, 3), "calibration_examples": self.examples,
                "model_accuracy": round(self.model_accuracy, 3), "evidence_accuracy": round(self.evidence_accuracy, 3),
                "model_decides": self.decides}


def cases_of(router: Router, specs: Sequence[ToolSpec], text_examples: Sequence[str] = TEXT_EXAMPLES) -> list[Case]:
    """The authors' examples of `specs` (the router's tools) and the text examples, round-robin over
    the options (each one's first example, then each one's second, ...): an early stop has seen
    every option. `doc`: the example's document in the router's index (left out when scoring it)."""
    doc_ids: dict[int, list[int]] = {}
    for j, doc in enumerate(router.index.docs):
        doc_ids.setdefault(doc.option, []).append(j)
    examples = [split_examples(s.description)[1] for s in specs] + [[t for t in text_examples if t.strip()]]
    per_option = []
    for option, own in enumerate(examples):
        ids = doc_ids.get(option, [])[len(doc_ids.get(option, [])) - len(own):]
        per_option.append([Case(text, option, j) for text, j in zip(own, ids)])
    return [case for row in zip_longest(*per_option) for case in row if case is not None]


def evidence_pick(router: Router, case: Case) -> int:
    """What the similarity alone picks for an example, the example left out of its own documents."""
    sims = router.index.similarities(case.text, exclude_doc=case.doc)
    n = len(router.names)
    best = int(np.argmax(sims[:n])) if n else n
    return best if n and sims[best] > sims[n] else n


def calibrate(cases: list[Case], model_pick: Callable[[Case], int], evidence: Callable[[Case], int],
              base: float, max_examples: int = MAX_EXAMPLES, min_examples: int = MIN_EXAMPLES) -> Calibration:
    """The model's weight from its picks on `cases` (asked in order, stopping once settled)."""
    model_right = evidence_right = asked = 0
    for case in cases[:max_examples]:
        asked += 1
        model_right += model_pick(case) == case.expected
        evidence_right += evidence(case) == case.expected
        if asked >= min_examples:
            reference = evidence_right / asked
            low, high = _wilson(model_right, asked)
            if high <= reference or low > reference + (1 - reference) / 2:
                break
    if not asked:
        return Calibration(base, 0, 0.0, 0.0)
    model_accuracy, evidence_accuracy = model_right / asked, evidence_right / asked
    if evidence_accuracy >= 1.0:
        earned = 1.0 if model_accuracy >= 1.0 else 0.0
    else:
        earned = min(1.0, max(0.0, (model_accuracy - evidence_accuracy) / (1 - evidence_accuracy)))
    return Calibration(base + (DECISIVE_WEIGHT - base) * earned, asked, model_accuracy, evidence_accuracy)


def calibrated_policy(policy: RoutingPolicy, calibration: Calibration) -> RoutingPolicy:
    """`policy` with the model's earned weight (and, once it decides, its say in call-or-answer)."""
    return replace(policy, model_weight=max(policy.model_weight, calibration.weight), model_decides=calibration.decides)


def _wilson(k: int, n: int) -> tuple[float, float]:
    p = k / n
    centre = p + Z * Z / (2 * n)
    spread = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    scale = 1 + Z * Z / n
    return (centre - spread) / scale, (centre + spread) / scale
