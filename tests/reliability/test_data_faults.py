"""2. Faults from tools and data APIs inside a fan-out: a partial result that says what is missing."""

from datetime import datetime, timedelta, timezone

import pytest

from agent import Agent
from agent.events import OrchestrationFinished
from agent.testing import ScriptedLLM, call
from agent import load_defaults
from tests.fmp_stub import EOD_FULL, INCOME, KEY, QUOTE
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
    ((429, {"Error Message": "Limit Reach"}, {"Retry-After": "0"}, 0.0), "rate"),
    ((401, {"Error Message": "Invalid API KEY"}, {}, 0.0), "key"),
    ((402, "Premium Query Parameter: This value set for 'symbol' is not available under your current subscription",
      {}, 0.0), "plan does not include"),
    ((403, {"Error Message": "Legacy Endpoint"}, {}, 0.0), "legacy"),
    ((200, "{{not json", {}, 0.0), "not valid JSON"),
    ((200, {"symbol": "MSFT", "historical": []}, {}, 0.0), "expected a list"),  # the retired v3 shape
    ((200, [], {}, 0.0), "MSFT"),
    ((200, QUOTE, {}, 2.0), "no reply within"),  # a slow-loris reply beyond the read timeout
])
async def test_one_failing_company_gives_a_partial_result(fmp_server, fault, expected):
    fmp_server.company("AAPL")
    today = datetime.now(timezone.utc).date()  # bars inside the analysis window (newest first, as FMP sends)
    fmp_server.route("historical-price-eod/full", [{**bar, "date": (today - timedelta(days=i + 1)).isoformat()}
                                                   for i, bar in enumerate(EOD_FULL)], symbol="AAPL")
    for endpoint in ("quote", "profile", "income-statement", "balance-sheet-statement", "cash-flow-statement",
                     "historical-price-eod/full", "historical-price-eod/dividend-adjusted", "stock-peers"):
        fmp_server.route(endpoint, fault, symbol="MSFT")
    reply, llm = await _run(fmp_server)
    assert reply.ok and reply.text == "partial analysis"
    finished = next(e for e in reply.events if isinstance(e, OrchestrationFinished))
    rows = {r[0]: r for r in finished.tables["comparison"]["rows"]}
    assert rows["AAPL"][1] == INCOME[0]["revenue"]  # the good company still counts
    assert rows["MSFT"][1] is None
    assert finished.missing and all("MSFT" in m for m in finished.missing)
    assert any(expected.lower() in m.lower() for m in finished.missing)
    prompt = llm.requests[1].messages[-1].content
    assert "Missing data:" in prompt and "MSFT" in prompt.split("Missing data:")[1]
    for text in (prompt, *finished.missing, reply.text):
        assert KEY not in text
