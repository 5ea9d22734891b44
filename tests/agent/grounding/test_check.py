"""The answer check on real data: correct answers pass (hand-written references), wrong labels,
unstated arithmetic and repeats are flagged, and the summary says exactly what was checked."""

import json
from pathlib import Path

import pytest

from agent import load_defaults
from agent.grounding import check_figures, data_figures
from orchestrations import RunContext, registered_orchestrations
from tools import ToolRunner, registered_tools

load_defaults()
REFERENCES = [json.loads(line) for line in (Path(__file__).parents[3] / "bench/data/reference_answers.jsonl").open()]
HEADLINE = next(r for r in REFERENCES if r["case"] == "a-dev-08")
HEALTH = next(r for r in REFERENCES if r["case"] == "a-dev-01")
_cache: dict[str, object] = {}


async def data_of(reference):
    """The data of a reference's case: its route run on the snapshot, as the driver checks against it."""
    if reference["case"] not in _cache:
        findings, tables = [], {}
        for call in reference["route"]:
            cls = registered_orchestrations()[call["name"]]
            data = await cls().run(cls.validate(call["arguments"]), RunContext(ToolRunner(registered_tools())))
            findings += data.findings
            tables.update({f"{cls.name}.{k}": t for k, t in data.tables.items()})
        _cache[reference["case"]] = data_figures(reference["query"], findings, tables)
    return _cache[reference["case"]]


async def test_the_check_flags_at_most_1_in_50_correctly_attached_figures():
    assert len(REFERENCES) >= 20 and len({r["case"] for r in REFERENCES}) == 8
    total = flagged = 0
    problems = []
    for reference in REFERENCES:
        check = check_figures(reference["answer"], await data_of(reference))
        total += check.total
        flagged += len(check.untraced)
        problems += [(reference["id"], f) for f in check.flagged]
    assert total >= 100
    assert flagged * 50 <= total, problems


async def test_most_reference_figures_are_attributed_not_only_traced():
    attributed = total = 0
    for reference in REFERENCES:
        check = check_figures(reference["answer"], await data_of(reference))
        attributed, total = attributed + check.attributed, total + check.total
    assert attributed >= 0.9 * total


@pytest.mark.parametrize("answer, problem, figure", [
    ("JPM: 2.04% increase in market share.", "wrong_measure", "2.04%"),           # the example: the trend as market share
    ("JPM's P/E is 7.89.", "wrong_subject", "7.89"),                              # BAC's P/E given to JPM
    ("BAC's volatility is 25.96%.", "wrong_subject", "25.96%"),                   # JPM's volatility given to BAC
    ("JPM's volatility is 11.22.", "wrong_measure", "11.22"),                     # JPM's P/E called its volatility
    ("JPM's P/E is 11.22 and 11.22 - 7.89 = 3.33.", "untraced", "3.33"),         # a made-up result
    ("JPM's P/E of 11.22 minus BAC's 7.89: 11.22 - 7.89.", "repeated", "11.22"),
    ("The index's trend is 2.04% - 4.79%.", "arithmetic", "4.79%"),
])
async def test_wrong_answers_are_flagged(answer, problem, figure):
    check = check_figures(answer, await data_of(HEADLINE))
    assert {"figure": figure, "problem": problem} in [{k: f[k] for k in ("figure", "problem")} for f in check.flagged], check.flagged
    assert not check.ok and (figure in check.untraced) is (problem == "untraced")


async def test_a_figure_moved_to_another_measure_is_flagged_in_a_real_answer():
    """The 135M model's JNJ answer before clause mode: now 76.13 (fiscal 2022) is the interest cover, not the margin."""
    answer = ("JNJ's financial health is considered financially healthy, with a return on equity of 23.36%, operating income "
              "above the 3.00 times floor, and net margin exceeding 76.13% in 2022-12-31.")
    check = check_figures(answer, await data_of(HEALTH))
    assert [f["figure"] for f in check.flagged] == ["76.13%"] and check.flagged[0]["problem"] == "wrong_measure"
    assert check.summary() == "1 of 4 figures attached to the wrong measure: 76.13% (it is JNJ interest coverage)"


async def test_the_summary_says_what_was_checked():
    data = await data_of(HEADLINE)
    assert check_figures("JPM's P/E is 11.22, against 7.89 for BAC.", data).summary() == "2 figures, each traced and attributed"
    assert check_figures("JPM's P/E is 11.22.", data).summary() == "1 figure, traced and attributed"
    dated = check_figures("JPM's P/E is 11.22 as of 2023-10-27.", data).summary()
    assert dated == ("2 figures traced to the data, 1 attributed to a labelled data point"
                     " (the others have no label: dates, years, numbers of the question or of a message)")
    assert check_figures("No figures here.", data).summary() == "no figures in the answer"
    mixed = check_figures("JPM's P/E is 7.89 and its margin 99.99%.", data).summary()
    assert mixed.startswith("2 of 2 figures flagged: ") and "not traced to the data (99.99%)" in mixed and "wrong subject" in mixed
