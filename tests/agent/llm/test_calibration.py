"""The model's policy weight is what it earned on the authors' examples, with injected model picks."""

from __future__ import annotations

import numpy as np

from agent.llm import Message, ToolSpec
from agent.llm._local.calibration import (
    DECISIVE_WEIGHT,
    MAX_EXAMPLES,
    Calibration,
    calibrate,
    calibrated_policy,
    cases_of,
    evidence_pick,
)
from agent.llm._local.policy import RoutingPolicy
from agent.llm._local.router import TEXT_EXAMPLES, Router
from tools import describe_with_examples

SCHEMA = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": False}
TOOLS = [
    ToolSpec("forecast", describe_with_examples("Weather forecast for a city.", [
        "Will it rain in Lisbon tomorrow?", "How cold will it get in Oslo this weekend?", "Do I need an umbrella in Paris?",
        "Is it going to snow in Denver?"]), SCHEMA),
    ToolSpec("book_table", describe_with_examples("Reserve a table at a restaurant.", [
        "Get me a dinner reservation for four at eight.", "Book somewhere to eat near the station tonight.",
        "I'd like a table for two on Friday evening.", "Can you find us a place for lunch tomorrow?"]), SCHEMA),
]
BASE = RoutingPolicy().model_weight


def router() -> Router:
    return Router.build(TOOLS, RoutingPolicy())


def test_cases_are_the_authors_and_the_no_call_examples_round_robin():
    r = router()
    cases = cases_of(r, TOOLS)
    assert len(cases) == 8 + len(TEXT_EXAMPLES)
    assert [c.expected for c in cases[:3]] == [0, 1, 2]  # forecast, book_table, text
    assert cases[0].text == "Will it rain in Lisbon tomorrow?" and cases[2].text == TEXT_EXAMPLES[0]
    # each case's document is the example itself: left out, the example does not find itself
    assert all(r.index.similarities(c.text)[c.expected] > r.index.similarities(c.text, exclude_doc=c.doc)[c.expected] - 1e-9
               for c in cases)


def test_a_model_that_picks_right_earns_the_decision():
    r = router()
    result = calibrate(cases_of(r, TOOLS), lambda case: case.expected, lambda case: evidence_pick(r, case), BASE)
    assert result.model_accuracy == 1.0 and result.evidence_accuracy < 1.0
    assert result.weight == DECISIVE_WEIGHT and result.decides
    assert result.examples <= MAX_EXAMPLES


def test_a_model_that_picks_wrong_is_outvoted_and_asked_few_examples():
    r = router()
    cases = cases_of(r, TOOLS)
    result = calibrate(cases, lambda case: (case.expected + 1) % 3, lambda case: evidence_pick(r, case), BASE)
    assert result.model_accuracy == 0.0
    assert result.weight == BASE and not result.decides
    assert result.examples < len(cases)  # settled early: it cannot beat the evidence


def test_a_model_as_good_as_the_evidence_earns_nothing():
    r = router()
    result = calibrate(cases_of(r, TOOLS), lambda case: evidence_pick(r, case), lambda case: evidence_pick(r, case), BASE)
    assert result.weight == BASE


def test_no_examples_keep_the_base_weight():
    assert calibrate([], lambda case: 0, lambda case: 0, BASE) == Calibration(BASE, 0, 0.0, 0.0)


def decide_with(policy: RoutingPolicy, model: list[float]) -> list[str]:
    r = router()
    r.policy = policy
    return r.decide([Message.user("Will it rain in Lisbon tomorrow?")], np.array(model), required=False)


def test_an_earned_weight_lets_the_model_overrule_the_similarity():
    earned = calibrated_policy(router().policy, Calibration(DECISIVE_WEIGHT, 10, 1.0, 0.5))
    assert decide_with(router().policy, [0.0, 1.0, 0.0]) == ["forecast"]  # outvoted
    assert decide_with(earned, [0.0, 1.0, 0.0]) == ["book_table"]  # decides the function


def test_an_earned_weight_decides_call_or_answer_too():
    earned = calibrated_policy(router().policy, Calibration(DECISIVE_WEIGHT, 10, 1.0, 0.5))
    assert decide_with(router().policy, [0.0, 0.0, 1.0]) == ["forecast"]  # the model says text, outvoted
    assert decide_with(earned, [0.0, 0.0, 1.0]) == []  # it decides: text
    assert decide_with(earned, [1.0, 0.0, 0.0]) == ["forecast"]


def test_an_unearned_calibration_leaves_the_policy_as_it_was():
    policy = router().policy
    assert calibrated_policy(policy, Calibration(BASE, 8, 0.2, 0.8)) == policy
