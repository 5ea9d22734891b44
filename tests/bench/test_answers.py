"""The scoring functions of `python -m bench answers`."""

from agent.grounding.request import instructions
from bench.answers import copied_runs, coverage, parrots, summarize


def test_coverage_counts_groups_named_by_any_of_their_names():
    groups = [["JPM", "JPMorgan"], ["BAC", "Bank of America"], ["health care", "healthcare"]]
    assert coverage("JPMorgan leads; bank of america trails.", groups) == (2, 3)
    assert coverage("", groups) == (0, 3)
    assert coverage("anything", []) == (0, 0)


def test_parroting_is_a_run_of_eight_words_of_the_instructions():
    rules = "You are a careful financial analyst. Answer the question in a few short sentences using the facts."
    assert parrots("As asked: answer the question in a few short sentences using the facts.", rules)
    assert copied_runs("Answer the question in a few short sentences, JPM leads.", rules) == [
        "answer the question in a few short sentences"]
    assert not parrots("Answer the question in a few words.", rules)  # seven words in a row is not parroting
    assert not parrots("JPM returned -15.39% against -44.59% for BAC.", rules)


def test_the_real_instructions_are_checked_word_by_word():
    text = instructions()
    copied = " ".join(text.split()[:12])
    assert parrots(f"Intro. {copied} More.", text)


def test_summary_rates():
    cases = [
        {"figures": 4, "traced": 4, "untraced": 0, "named": 2, "groups": 2, "parroting": False, "prompt_tokens": 500,
         "legacy_prompt_tokens": 1500},
        {"figures": 2, "traced": 1, "untraced": 1, "named": 0, "groups": 1, "parroting": True, "prompt_tokens": 300,
         "legacy_prompt_tokens": None},
    ]
    s = summarize(cases)
    assert s["untraced_figure_rate"] == round(1 / 6, 4) and s["coverage"] == round(2 / 3, 4)
    assert s["parroting_answers"] == 1 and s["figures_per_answer"] == 2.5
    assert s["prompt_tokens_mean"] == 400 and s["legacy_prompt_tokens_mean"] == 1500
    assert summarize([])["untraced_figure_rate"] == 0.0
