"""`bench routing`'s domain loading, multi-turn cases and case kinds (offline)."""

from __future__ import annotations

import json
from pathlib import Path

from agent import Agent
from agent.testing import ScriptedLLM
from bench.routing import case_kind, functions_match, load_domain, remember, routes_match

ROOT = Path(__file__).resolve().parents[2]


def test_the_travel_domain_loads_from_a_file_with_its_tools():
    orchestrations, tools = load_domain(str(ROOT / "examples/travel_app.py"))
    assert len(orchestrations) >= 6 and all(o.examples and o.description for o in orchestrations)
    assert {t.name for t in tools} >= {"city_weather", "hotel_offers"}


def test_the_travel_cases_cover_every_kind_and_name_real_functions():
    orchestrations, _ = load_domain(str(ROOT / "examples/travel_app.py"))
    names = {o.name for o in orchestrations}
    cases = [json.loads(line) for line in open(ROOT / "bench/data/routing_travel.jsonl", encoding="utf-8")]
    assert len(cases) >= 40 and len({c["id"] for c in cases}) == len(cases)
    kinds = [case_kind(c) for c in cases]
    assert {"text", "single", "several_values", "two_intents", "follow_up"} <= set(kinds)
    for case in cases:
        for call in case["expect"] + [c for turn in case.get("history", []) for c in turn["calls"]]:
            assert call["name"] in names


def test_function_accuracy_ignores_arguments_but_counts_calls():
    expect = [{"name": "a", "args": {"x": ["1"]}}, {"name": "a"}]
    assert functions_match([("a", {"x": "2"}), ("a", {})], expect)
    assert not routes_match([("a", {"x": "2"}), ("a", {})], expect)
    assert not functions_match([("a", {})], expect)


def test_history_goes_into_the_session_memory_with_its_calls():
    agent = Agent(ScriptedLLM([]), orchestrations=[], tools=[])
    session = agent.new_session()
    remember(agent, session, [{"query": "Weather in Oslo?", "calls": [{"name": "weather_forecast", "arguments": {"city": "Oslo"}}]}])
    window = session.memory.window(1000, calls=True)
    assert window[0].content == "Weather in Oslo?"
    assert window[1].tool_calls[0].name == "weather_forecast" and json.loads(window[1].tool_calls[0].arguments) == {"city": "Oslo"}


def test_numbers_compare_by_value():
    assert routes_match([("convert", {"amount": 100.0})], [{"name": "convert", "args": {"amount": [100]}}])
    assert not routes_match([("convert", {"amount": 100.5})], [{"name": "convert", "args": {"amount": [100]}}])
