"""The routing policy driven with made-up evidence (no model): scores in, calls out."""

from __future__ import annotations

import numpy as np
import pytest

from agent.llm._local.policy import Evidence, RoutingPolicy

NAMES = ["weather", "add", "translate"]


def evidence(similarity, model=None, text=0.0, windows=None, **kw) -> Evidence:
    return Evidence(
        names=list(NAMES), similarity=np.array(similarity, dtype=float),
        model=np.array(model if model is not None else [], dtype=float), text_similarity=text,
        windows=np.array(windows, dtype=float) if windows is not None else np.zeros((0, 0)), **kw,
    )


def test_the_best_function_is_called_when_it_beats_the_text_option():
    assert RoutingPolicy().decide(evidence([0.1, 0.6, 0.2], text=0.3)) == ["add"]


def test_text_wins_when_no_function_fits():
    assert RoutingPolicy().decide(evidence([0.1, 0.05, 0.0], text=0.5)) == []


def test_no_evidence_for_any_function_is_no_call_even_with_no_text_evidence_either():
    # "good morning!" shares no word with any document: a call would be a guess
    assert RoutingPolicy(margin=0.0).decide(evidence([0.0, 0.0, 0.0], text=0.0)) == []
    assert RoutingPolicy(margin=0.0).decide(evidence([0.0, 0.01, 0.0], text=0.0)) == ["add"]
    assert RoutingPolicy(margin=0.0).decide(evidence([0.0, 0.0, 0.0], text=0.0, required=True)) == ["weather"]


def test_the_model_probability_can_tip_the_decision():
    policy = RoutingPolicy(model_weight=1.0)
    ev = evidence([0.2, 0.25, 0.0], model=[0.7, 0.1, 0.1, 0.1], text=0.2)
    assert policy.decide(ev) == ["weather"]
    assert RoutingPolicy(model_weight=0.0).decide(ev) == ["add"]


def test_required_never_answers_in_text():
    assert RoutingPolicy().decide(evidence([0.1, 0.05, 0.0], text=0.9, required=True)) == ["weather"]


def test_a_window_won_clearly_by_another_function_adds_a_call():
    windows = [[0.7, 0.1, 0.0], [0.1, 0.1, 0.6], [0.2, 0.1, 0.1]]
    policy = RoutingPolicy(window_threshold=0.5)
    assert policy.decide(evidence([0.6, 0.1, 0.4], windows=windows)) == ["weather", "translate"]
    assert RoutingPolicy(window_threshold=0.65).decide(evidence([0.6, 0.1, 0.4], windows=windows)) == ["weather"]


def test_calls_are_capped():
    windows = [[0.9, 0, 0], [0, 0.9, 0], [0, 0, 0.9]]
    assert RoutingPolicy(window_threshold=0.5, max_calls=2).decide(evidence([0.5, 0.4, 0.3], windows=windows)) == ["weather", "add"]


def test_after_tool_results_the_answer_is_text_unless_a_new_call_is_clearly_needed():
    policy = RoutingPolicy(after_results_margin=0.25)
    done = evidence([0.1, 0.6, 0.0], text=0.1, after_results=True, called=frozenset({"add"}))
    assert policy.decide(done) == []  # the function it needs was called already
    needed = evidence([0.7, 0.6, 0.0], text=0.1, after_results=True, called=frozenset({"add"}))
    assert policy.decide(needed) == ["weather"]
    weak = evidence([0.3, 0.6, 0.0], text=0.1, after_results=True, called=frozenset({"add"}))
    assert policy.decide(weak) == []


def test_calibration_sets_the_window_threshold_above_wrong_wins_in_the_examples():
    # two examples of function 0: in one window function 2 leads it by 0.25
    rows = [np.array([[0.3, 0.1, 0.55], [0.6, 0.2, 0.1]]), np.array([[0.9, 0.3, 0.2]])]
    calibrated = RoutingPolicy(window_threshold=0.1).calibrated(rows, [0, 0])
    assert calibrated.window_threshold == pytest.approx(0.25, abs=1e-3) and calibrated.window_threshold > 0.25
    never_wrong = RoutingPolicy().calibrated([np.array([[0.9, 0.1, 0.2]])], [0])
    assert never_wrong.window_threshold > 0  # a window is never added on a tie
    assert RoutingPolicy(window_threshold=0.3).calibrated([], []).window_threshold == 0.3


def test_no_functions_no_calls():
    assert RoutingPolicy().decide(Evidence(names=[], similarity=np.zeros(0), model=np.zeros(0))) == []


# companies and sectors the request names: "one" and "two" take one company, "pair" both at once
ENTITY_NAMES = ["one", "pair", "sector"]
TWO_COMPANIES = dict(entities=("JPM", "BAC"), covers=[frozenset({"JPM", "BAC"}), frozenset({"JPM", "BAC"}), frozenset()],
                     per_call=np.array([1, 2, 0]))


def named(similarity, windows=None, **kw) -> Evidence:
    return Evidence(names=list(ENTITY_NAMES), similarity=np.array(similarity, dtype=float), model=np.zeros(0),
                    windows=np.array(windows, dtype=float) if windows is not None else np.zeros((0, 0)), **kw)


def test_one_call_of_both_companies_replaces_a_call_per_company_without_a_clear_lead():
    policy = RoutingPolicy(window_threshold=0.2)
    assert policy.decide(named([0.35, 0.25, 0.0], **TWO_COMPANIES)) == ["pair"]
    assert policy.decide(named([0.55, 0.25, 0.0], **TWO_COMPANIES)) == ["one"]  # a clear lead keeps one call per company


def test_the_replaced_function_does_not_come_back_through_a_window():
    policy = RoutingPolicy(window_threshold=0.2)
    windows = [[0.6, 0.1, 0.0], [0.2, 0.3, 0.0]]
    assert policy.decide(named([0.35, 0.25, 0.0], windows=windows, **TWO_COMPANIES)) == ["pair"]


def test_a_named_sector_no_pick_takes_adds_the_function_that_wins_its_window():
    covers = [frozenset({"JPM"}), frozenset({"JPM"}), frozenset({"Financials"})]
    ev = dict(entities=("Financials", "JPM"), covers=covers, per_call=np.array([1, 1, 1]))
    policy = RoutingPolicy(window_threshold=0.5)
    won = [[0.1, 0.0, 0.3], [0.6, 0.1, 0.0]]  # the sector function leads its window by 0.2
    assert policy.decide(named([0.5, 0.1, 0.3], windows=won, **ev)) == ["sector", "one"]
    near_tie = [[0.28, 0.0, 0.3], [0.6, 0.1, 0.0]]  # by 0.02: a sector named in passing
    assert policy.decide(named([0.5, 0.1, 0.3], windows=near_tie, **ev)) == ["one"]
    taken = dict(ev, covers=[frozenset({"JPM", "Financials"}), covers[1], covers[2]])  # the pick takes it already
    assert policy.decide(named([0.5, 0.1, 0.3], windows=won, **taken)) == ["one"]


def test_the_model_picks_among_functions_but_cannot_overturn_the_text_option():
    policy = RoutingPolicy(model_weight=0.5)
    unrelated = evidence([0.05, 0.04, 0.0], model=[0.9, 0.05, 0.0, 0.05], text=0.08)
    assert policy.decide(unrelated) == []  # the model's liking for a call is not evidence the call fits
    related = evidence([0.3, 0.32, 0.0], model=[0.9, 0.05, 0.0, 0.05], text=0.08)
    assert policy.decide(related) == ["weather"]


def test_auto_does_not_call_a_function_whose_required_value_the_request_leaves_out():
    ev = dict(missing=np.array([True, False, False]))
    assert RoutingPolicy().decide(evidence([0.6, 0.3, 0.0], text=0.1, **ev)) == ["add"]  # the next best states its arguments
    assert RoutingPolicy().decide(evidence([0.6, 0.05, 0.0], text=0.1, **ev)) == []  # and when it does not fit: text
    assert RoutingPolicy().decide(evidence([0.6, 0.3, 0.0], text=0.1, required=True, **ev)) == ["weather"]  # `required` still calls
    windows = [[0.6, 0.1, 0.0], [0.7, 0.0, 0.0]]  # nor does a window bring it back
    assert RoutingPolicy(window_threshold=0.2).decide(evidence([0.2, 0.3, 0.0], text=0.1, windows=windows, **ev)) == ["add"]


def test_in_a_follow_up_the_models_copy_of_the_last_call_is_not_counted():
    import numpy as np

    from agent.llm._local.policy import Evidence, RoutingPolicy

    policy = RoutingPolicy(model_weight=0.5)
    # "any free time on Friday afternoon?" after a look at tomorrow's calendar: the model copies the last call
    ev = Evidence(["list_events", "find_free_slot"], np.array([0.16, 0.31]), np.array([0.7, 0.1, 0.2]), previous=frozenset({"list_events"}),
                  named=np.array([0.0, 1.0]))
    assert policy._model(ev).tolist() == [0.0, 0.1, 0.2]
    assert policy.decide(ev) == ["find_free_slot"]
    fresh = Evidence(["list_events", "find_free_slot"], np.array([0.16, 0.31]), np.array([0.7, 0.1, 0.2]), named=np.array([0.0, 1.0]))
    assert policy._model(fresh).tolist() == [0.7, 0.1, 0.2] and policy.decide(fresh) == ["list_events"]
