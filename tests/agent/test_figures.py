"""The figures checker: invented, rounded and reformatted figures, each with its verdict."""

import pytest

from agent.figures import allowed_figures, check_figures, data_figures, find_figures
from orchestrations import Finding, Table

QUESTION = "Compare JPMorgan Chase (JPM) and Bank of America (BAC) over the next 2 years."
FINDINGS = [
    Finding("Price return over the lookback: JPM -15.39% vs BAC -44.59% (better: JPM).", ["-15.39%", "-44.59%"], "comparison[return %]"),
    Finding("JPM is ahead on 3 of the 4 measures compared.", ["3", "4"], "comparison"),
]
TABLES = {
    "profiles": Table("Profiles", ["symbol", "market cap", "P/E", "as of"], [
        ["JPM", 398_150_000_000, 11.2234, "2023-10-27"], ["BAC", 201_280_000_000, 7.89, "2023-10-27"],
    ]),
    "health": Table("JPM by fiscal year", ["metric", "2024-12-31", "2025-12-31"], [["net margin %", 25.31, 26.02]]),
}
DATA = data_figures(QUESTION, FINDINGS, TABLES)


def verdict(answer):
    """(traced, not traced): the tracing rule alone (attribution has its own tests, tests/agent/grounding)."""
    check = check_figures(answer, DATA)
    attached = [f["figure"] for f in check.flagged if f["problem"] in ("wrong_measure", "wrong_subject")]
    return [f for f, _ in check.traced] + attached, check.untraced


@pytest.mark.parametrize("figure", [
    "398.15B",            # exact, as the tables print it
    "$398.2 billion",     # rounded, written another way
    "398,150,000,000",    # in full
    "$398 billion",       # rounded to the unit
    "0.39815 trillion",   # another magnitude
    "201.28B",
    "11.22", "11.2",      # the P/E, as printed and rounded
    "15.39%", "-15.39%", "15.4%", "15.4 percent",  # signs are the words' job ("fell 15.39%")
    "25.3%", "26.02%",
    "2023-10-27", "2025",  # a date in the data, a year of one
    "3", "4",             # counts the findings state
    "2",                  # a number of the question
])
def test_figures_from_the_data_trace(figure):
    traced, untraced = verdict(f"JPM's figure is {figure} on this measure.")
    assert untraced == [] and len(traced) == 1, (traced, untraced)


@pytest.mark.parametrize("figure", [
    "-42.33",             # invented
    "17.53%",             # invented percentage
    "400 billion",        # rounded too far (398.15B is 398 billion, not 400)
    "398.3B",             # wrong in the last digit written
    "11.3",               # rounds 11.2234 wrongly
    "5",                  # a count no finding states
    "1",                  # one digit must be exact: 1 is not 0.9-something
    "2030",               # a year the data never mentions
    "2023-11-01",         # a date not in the data
    "1.5x",               # an invented multiple
])
def test_invented_figures_do_not_trace(figure):
    traced, untraced = verdict(f"JPM's figure is {figure} on this measure.")
    assert traced == [] and untraced == [figure.lstrip("-")], (traced, untraced)


def test_a_mixed_answer_gets_one_verdict_per_figure():
    answer = ("JPM (market cap $398.2 billion, P/E 11.22) fell 15.39% while BAC fell 44.59%. "
              "The sector median P/E is -17.53 and JPM's P/E is -42.33.")
    check = check_figures(answer, DATA)
    assert [f for f, _ in check.traced] == ["398.2 billion", "11.22"]  # "fell 15.39%" names no measure
    assert check.untraced == ["17.53", "42.33"]
    assert [(f["figure"], f["problem"]) for f in check.flagged] == [
        ("15.39%", "wrong_measure"), ("44.59%", "wrong_measure"), ("17.53", "untraced"), ("42.33", "untraced")]
    assert check.summary() == ("4 of 6 figures flagged: 2 attached to the wrong measure (15.39% (it is JPM return %), "
                               "44.59% (it is BAC return %)); 2 not traced to the data (17.53, 42.33)")
    assert dict(check.traced)["398.2 billion"] == "profiles[JPM]"


def test_list_markers_tickers_and_words_with_digits_are_not_figures():
    text = "1. JPM leads.\n2) BAC trails.\nQ4 results, the 10-K and a 5-year view; S&P500."
    assert find_figures(text) == []


def test_all_traced_summary():
    check = check_figures("JPM's market cap is 398.15B and its P/E 11.22.", DATA)
    assert check.ok and check.summary() == "2 figures, each traced and attributed"
    assert check_figures("No figures here.", DATA).summary() == "no figures in the answer"


def test_every_allowed_figure_traces():
    allowed = allowed_figures(DATA)
    assert {"398.15B", "398.2B", "15.39%", "15.39", "15.4%", "11.22", "2023-10-27", "2023", "3"} <= set(allowed)
    check = check_figures(" ; ".join(f"x {a} y" for a in allowed), DATA)
    assert not check.untraced, check.untraced


def test_a_time_of_day_is_one_figure_traced_as_written_and_may_recur():
    events = Table("Events", ["id", "start", "minutes", "title"], [["EV-1", "08:30", 45, "Dentist"], ["EV-2", "12:30", 60, "Lunch"]])
    data = data_figures("What's on tomorrow?", [], {"list_events.events": events})
    assert [(f.text, f.kind) for f in find_figures("Dentist at 08:30, lunch at 12:30 (60 minutes)")] == [
        ("08:30", "time"), ("12:30", "time"), ("60", "number")]
    check = check_figures("EV-1: start 08:30, minutes 45. EV-2: start 12:30, minutes 60.", data)
    assert check.ok, check.flagged  # "30" is no figure of its own, so it is not repeated
    assert check_figures("EV-1 starts at 09:30.", data).untraced == ["09:30"]


def test_the_same_figure_of_two_data_points_is_no_repeat_but_of_one_is():
    events = Table("Events", ["id", "minutes", "title"], [["EV-1", 60, "Dentist"], ["EV-2", 60, "Lunch"]])
    data = data_figures("What's on tomorrow?", [], {"list_events.events": events})
    assert check_figures("EV-1: minutes 60. EV-2: minutes 60.", data).ok
    again = check_figures("EV-1: minutes 60. EV-1 again: minutes 60.", data)
    assert [f["problem"] for f in again.flagged] == ["repeated"]


def test_a_time_traces_with_or_without_its_hours_leading_zero_and_ratios_are_no_times():
    events = Table("Events", ["id", "start", "title"], [["EV-1", "08:30", "Dentist"]])
    data = data_figures("What's on tomorrow?", [], {"list_events.events": events})
    assert check_figures("The dentist is at 8:30.", data).ok
    assert [f.kind for f in find_figures("a 3:2 ratio, 25:30 and 23:59")] == ["number", "number", "number", "number", "time"]
