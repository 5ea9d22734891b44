"""The candidates for another value of an argument (no model): a name written beside the taken value
in brackets is the same thing, not a second value."""

from agent.llm._local.values import candidates


def spans(request: str, taken: list[str]) -> set[str]:
    return {span for _, span in candidates(request, taken)}


def test_a_bracketed_other_name_of_the_taken_value_is_no_candidate():
    assert "Apple" not in spans("Get the stock price of Apple (AAPL), then the area of a 3 by 4 rectangle.", ["AAPL"])
    assert not {"Apple", "Apple Inc", "Inc"} & spans("Compare AAPL (Apple Inc.) with MSFT", ["AAPL"])


def test_other_values_stay_candidates():
    assert "Porto" in spans("the weather in Lisbon and in Porto", ["Lisbon"])
    assert "MSFT" in spans("Compare AAPL (Apple Inc.) with MSFT", ["AAPL"])
    assert "Bergen" in spans("Oslo (Norway) and Bergen", ["Oslo"])
