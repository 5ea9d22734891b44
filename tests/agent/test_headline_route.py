"""The headline question of the README asks for two analyses: a sector trend, and a JPM/BAC comparison.

Issue 14's requirement, kept visible as a known failure (xfail, not strict) while the embedded
135M model's router does not meet it: it runs in a few seconds, and it starts passing (XPASS) the day
the routing does."""

from __future__ import annotations

import pytest

from agent import build_agent

pytest.importorskip("llama_cpp")
pytestmark = [pytest.mark.local_model]

QUESTION = (
    "Considering the current economic climate, analyze the banking sector trends for the next 2 years and provide a "
    "comparative strategic investment analysis for JPMorgan Chase (JPM) and Bank of America (BAC)."
)


@pytest.mark.xfail(reason="issue 14: the embedded model routes the headline to one analysis per company", strict=False)
async def test_the_headline_question_routes_to_a_sector_trend_and_the_comparison():
    outcome = await build_agent("local").route(QUESTION)
    names = {r.name for r in outcome.routes}
    assert {"market_trend_prediction", "company_comparative_analysis"} <= names or \
        {"sector_analysis", "company_comparative_analysis"} <= names, [(r.name, r.arguments()) for r in outcome.routes]
    comparison = next(r for r in outcome.routes if r.name == "company_comparative_analysis")
    assert {comparison.arguments()["symbol1"], comparison.arguments()["symbol2"]} == {"JPM", "BAC"}
