"""The headline question of the README asks for two analyses: a sector trend, and a JPM/BAC comparison.

Issue 14's requirement, with the embedded 135M model: the sector is grounded ("banking" -> Financials)
and no pick takes it, so the function that wins its part of the request is called too; one call of
the comparison takes both named companies instead of a strategic analysis per company."""

from __future__ import annotations

import pytest

from agent import build_agent

pytest.importorskip("llama_cpp")
pytestmark = [pytest.mark.local_model]

QUESTION = (
    "Considering the current economic climate, analyze the banking sector trends for the next 2 years and provide a "
    "comparative strategic investment analysis for JPMorgan Chase (JPM) and Bank of America (BAC)."
)


async def test_the_headline_question_routes_to_a_sector_trend_and_the_comparison():
    outcome = await build_agent("local").route(QUESTION)
    names = {r.name for r in outcome.routes}
    assert {"market_trend_prediction", "company_comparative_analysis"} <= names or \
        {"sector_analysis", "company_comparative_analysis"} <= names, [(r.name, r.arguments()) for r in outcome.routes]
    comparison = next(r for r in outcome.routes if r.name == "company_comparative_analysis")
    assert {comparison.arguments()["symbol1"], comparison.arguments()["symbol2"]} == {"JPM", "BAC"}
