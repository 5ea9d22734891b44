"""The scoring functions of `python -m bench answers`."""

from agent.grounding.request import instructions
from bench.answers import attribution, copied_runs, coverage, parrots, repetitive, summarize


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


def test_repetitive_answers_repeat_figures_tables_or_phrases():
    assert repetitive("JPM's P/E is 11.22.", 1)
    assert repetitive("201.28B | 1.39 | 1.39", 0)
    assert repetitive("JPM leads the sector. JPM leads the sector. JPM leads the sector.", 0)
    assert not repetitive("JPM's P/E is 11.22, against 7.89 for BAC; the index rose.", 0)


def test_attribution_leaves_out_figures_without_a_labelled_data_point():
    check = {"total": 5, "traced": [{"figure": "11.22"}, {"figure": "2023-10-27"}, {"figure": "7.89"}], "attributed": 2,
             "flagged": [{"figure": "2.04%", "problem": "wrong_measure"}, {"figure": "9.99", "problem": "untraced"}]}
    assert attribution(check) == (2, 4)  # the date is traced only: neither attributed nor counted
    cases = [{"figures": 5, "traced": 3, "untraced": 1, "named": 1, "groups": 1, "parroting": False, "prompt_tokens": 1,
              "attributed": 2, "attributable": 4, "repetitive": True, "completion_tokens": 80, "seconds": 4.0}]
    s = summarize(cases)
    assert s["attribution"] == 0.5 and s["repetitive_answers"] == 1 and s["answer_tokens_mean"] == 80 and s["turn_seconds_mean"] == 4.0
