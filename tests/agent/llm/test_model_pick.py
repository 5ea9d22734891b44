"""When the model's pick is worth asking for (no model: made-up evidence and a policy)."""

from __future__ import annotations

import numpy as np

from agent.llm._local.model_pick import model_settled
from agent.llm._local.policy import Evidence, RoutingPolicy

NAMES = ["weather", "add", "translate"]


def evidence(similarity, text=0.0, required=True) -> Evidence:
    return Evidence(names=list(NAMES), similarity=np.array(similarity, dtype=float), model=np.zeros(0),
                    text_similarity=text, required=required)


def test_a_clear_lead_is_settled_without_the_model():
    assert model_settled(RoutingPolicy(model_weight=0.1), evidence([0.1, 0.6, 0.2]))


def test_a_near_tie_needs_the_model():
    assert not model_settled(RoutingPolicy(model_weight=0.1), evidence([0.55, 0.6, 0.2]))


def test_the_model_s_weight_sets_what_is_clear():
    ev = evidence([0.1, 0.6, 0.2])
    assert model_settled(RoutingPolicy(model_weight=0.3), ev)
    assert not model_settled(RoutingPolicy(model_weight=0.5), ev)


def test_when_the_model_decides_call_or_answer_a_close_text_option_needs_it():
    policy = RoutingPolicy(model_weight=0.3, model_decides=True)
    assert not model_settled(policy, evidence([0.1, 0.6, 0.2], text=0.5, required=False))
    assert model_settled(policy, evidence([0.1, 0.9, 0.2], text=0.1, required=False))
