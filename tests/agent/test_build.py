"""build_agent: the one public way to build the default finance agent."""

from __future__ import annotations

import pytest

import agent._build as build
from agent import build_agent, ground_query
from agent.replay import Cassette
from agent.testing import ScriptedLLM


def test_the_default_agent_offers_the_seven_analyses_and_grounds_queries():
    a = build_agent(ScriptedLLM())
    assert {"sector_analysis", "company_comparative_analysis", "financial_health_assessment"} <= set(a.targets)
    assert a.grounder is ground_query
    assert ground_query("Compare JPMorgan (JPM) and Bank of America (BAC)")  # tickers found in the query


def test_an_unknown_backend_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown backend 'gpt'"):
        build_agent("gpt")


async def test_a_replayed_cassette_builds_no_backend(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    with Cassette(path, mode="record") as cassette:
        recorded = await build_agent(ScriptedLLM(["P/E is price over earnings."]), cassette=cassette).achat("What is P/E?")

    def no_backend(*args, **kwargs):
        raise AssertionError("a replay must not build a backend")

    monkeypatch.setattr(build, "make_llm", no_backend)
    with Cassette(path, mode="replay") as cassette:
        replayed = await build_agent("local", cassette=cassette).achat("What is P/E?")
    assert replayed.text == recorded.text == "P/E is price over earnings."
