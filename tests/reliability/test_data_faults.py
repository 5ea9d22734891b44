"""2. Faults from tools and data APIs inside a fan-out: a partial result that says what is missing."""

import pytest

from agent import Agent
from agent.events import OrchestrationFinished
from agent.testing import ScriptedLLM, call
from agent._defaults import load_defaults
from tests.tools.market.test_market_fmp import INCOME, KEY, PROFILE, QUOTE
from tools.market import FMPProvider, use_provider

load_defaults()



def comparative_calls():
    return [call("company_comparative_analysis", {"symbol1": "AAPL", "symbol2": "MSFT", "time_horizon": "1 year"}), "partial analysis"]


async def _run(fmp_server, **provider_options):
    provider = FMPProvider(api_key=KEY, base_url=fmp_server.base, timeout=0.5, attempts=2, backoff=0.01, max_backoff=0.02, **provider_options)
    llm = ScriptedLLM(comparative_calls())
    try:
        with use_provider(provider):
            reply = await Agent(llm).achat("Compare Apple and Microsoft")
    finally:
        await provider.aclose()
    return reply, llm


@pytest.mark.parametrize("fault, expected", [
    ((500, {"error": "boom"}, {}, 0.0), "upstream"),
    ((429, {"error": "slow down"}, {"Retry-After": "0"}, 0.0), "rate"),
    ((401, {"Error Message": "Invalid API KEY"}, {}, 0.0), "key"),
    ((200, "{{not json", {}, 0.0), "not valid JSON"),
    ((200, [], {}, 0.0), "MSFT"),
    ((200, QUOTE, {}, 2.0), "no reply within"),  # a slow-loris reply beyond the read timeout
])
async def test_one_failing_company_gives_a_partial_result(fmp_server, fault, expected):
    for path, body in (("quote", QUOTE), ("profile", PROFILE), ("income-statement", INCOME)):
        fmp_server.route(f"v3/{path}/AAPL", body)
        fmp_server.route(f"v3/{path}/MSFT", fault)
    fmp_server.route("v3/historical-price-full/AAPL", {"symbol": "AAPL", "historical": [
        {"date": "2023-10-27", "open": 1, "high": 1, "low": 1, "close": 168.2, "adjClose": 168.2, "volume": 1},
        {"date": "2023-10-26", "open": 1, "high": 1, "low": 1, "close": 166.9, "adjClose": 166.9, "volume": 1}]})
    fmp_server.route("v3/historical-price-full/MSFT", fault)
    reply, llm = await _run(fmp_server)
    assert reply.ok and reply.text == "partial analysis"
    finished = next(e for e in reply.events if isinstance(e, OrchestrationFinished))
    rows = {r[0]: r for r in finished.tables["comparison"]["rows"]}
    assert rows["AAPL"][1] == 383_285_000_000  # the good company still counts
    assert rows["MSFT"][1] is None
    assert finished.missing and all("MSFT" in m for m in finished.missing)
    assert any(expected.lower() in m.lower() for m in finished.missing)
    prompt = llm.requests[1].messages[-1].content
    assert "Missing data:" in prompt and "MSFT" in prompt.split("Missing data:")[1]
    for text in (prompt, *finished.missing, reply.text):
        assert KEY not in text
