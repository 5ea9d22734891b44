"""The chat's turn view: findings as bullets before the answer, histories as a sparkline, the traced line."""

import io

from rich.console import Console

from agent.chat._charts import BLOCKS, is_series, sparkline
from agent.chat._render import TurnView
from agent.events import FiguresChecked, FinalAnswer, OrchestrationFinished, TokenDelta
from agent.llm import Usage

MONTHLY = {"title": "Index by month", "columns": ["month", "level"], "note": "",
           "rows": [[f"2022-{m:02d}", 100 + m * (-1) ** m] for m in range(1, 13)]}
STATS = {"title": "Index", "columns": ["metric", "value"], "note": "", "rows": [["total return %", -4.79]]}
FINDINGS = [{"text": "The index returned -4.79% from 2021-10-28 to 2023-10-27.", "figures": ["-4.79%"], "source": "index"}]


def render(*events) -> str:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False, color_system=None)
    view = TurnView(console)
    for e in events:
        view.handle(e)
    view.stop()
    return out.getvalue()


def test_findings_come_before_the_answer_and_the_traced_line_after_it():
    text = render(
        OrchestrationFinished("market_trend_prediction", {}, 0.1, {"index": STATS, "monthly": MONTHLY}, [], FINDINGS),
        TokenDelta("The index fell 4.79%."),
        FiguresChecked(2, [{"figure": "4.79%", "source": "index"}, {"figure": "2023-10-27", "source": "index"}], [],
                       "all 2 figures traced to the data"),
        FinalAnswer("The index fell 4.79%.", Usage(10, 5, 1), 1),
    )
    assert text.index("findings:") < text.index("• The index returned -4.79%") < text.index("answer:")
    assert text.index("The index fell 4.79%.") < text.index("✓ all 2 figures traced to the data") < text.index("usage:")


def test_untraced_figures_are_named():
    text = render(TokenDelta("P/E 42.33."), FiguresChecked(2, [{"figure": "11.22", "source": "t"}], ["42.33"], ""),
                  FinalAnswer("P/E 42.33.", Usage(), 1))
    assert "⚠ 1 of 2 figures not traced to the data: 42.33" in text


def test_a_history_is_a_sparkline_not_a_table():
    text = render(OrchestrationFinished("market_trend_prediction", {}, 0.1, {"monthly": MONTHLY, "index": STATS}, [], []))
    assert "Index by month" in text and "2022-01" in text and "2022-12" in text
    assert "2022-06" not in text  # no row per month
    assert any(b in text for b in BLOCKS)
    assert "total return %" in text  # a short table is still a table


def test_series_detection_and_sparkline_shape():
    assert is_series(MONTHLY) and not is_series(STATS)
    assert sparkline([1, 2, 3]) == "▁▅█"
    assert len(sparkline(list(range(500)), width=40)) == 40
    line = sparkline([5, 1, 9])
    assert line[1] == BLOCKS[0] and line[2] == BLOCKS[-1]
