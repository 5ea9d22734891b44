"""The candidates for another value of an argument (no model): a name written beside the taken value
in brackets is the same thing, not a second value; and the next value is one the argument's
pattern allows, whatever a stand-in model prefers."""

import json

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


def test_a_word_right_beside_the_value_is_a_modifier_not_another_value():
    assert not {"human", "cell"} & spans("Find me detailed information about the structure of human cell", ["human"])
    assert "river" not in spans("Find the population of turtles in Mississippi river in 2020.", ["Mississippi"])
    assert "function" not in spans("Calculate the derivative of the function 2x^2 at x = 1.", ["2x^2"])
    assert "book" not in spans("Can I find a historical fiction book at the New York library?", ["New York", "historical fiction"])


def test_another_value_is_written_like_the_value():
    # capitalised beside capitalised, lower case beside lower case; a sentence's first word tells nothing
    assert "population" not in spans("the Population Density for Brazil in 2022 if the population is 213", ["Brazil", "2022"])
    assert "Things" not in spans("Things to do in Rome, Florence and Venice", ["Rome"])
    assert {"Florence", "Venice"} <= spans("Things to do in Rome, Florence and Venice", ["Rome"])


def test_an_item_led_in_by_the_words_that_lead_in_the_value_is_another_value():
    # "for the" leads in "invoice" as it does "contract": no gap between two items
    assert "invoice" in spans("search my email for the contract and for the invoice", ["contract"])
    assert "invoice" not in spans("search my email for the contract and then maybe the invoice", ["contract"])
    assert "Porto" in spans("the weather in Lisbon and in Porto", ["Lisbon"])


def test_a_list_chains_through_items_set_apart_by_punctuation_not_through_words():
    assert "Rio de Janeiro" in spans("Compare the weather in Sydney, Cape Town and Rio de Janeiro", ["Sydney"])
    assert not spans("travel time from San Francisco to Los Angeles with stops at Santa Barbara and Monterey",
                     ["San Francisco", "Los Angeles"])


def test_numbers_inside_an_identifier_are_not_quantities():
    from agent.llm._local.arguments import numbers_in

    assert numbers_in("Renew L-2210 and L-2211 for 2 weeks, from x=-2 to 3") == [2.0, -2.0, 3.0]


def test_one_letter_is_no_item_beside_longer_values():
    assert "I" not in spans("How many yen (JPY) do I get for 120 GBP?", ["JPY"])
    assert "a" not in spans("how genetically similar a human and a chimp are", ["chimp", "human"])
    assert "B" in spans("Plot series A, B and C", ["A"])



def test_the_list_s_items_are_the_value_s_kind():
    # "Earth" sits beside 70, a value the call took, but 70 is a number and the planet a name
    assert "Earth" not in spans("How much will I weigh on Mars if my weight on Earth is 70 kg?", ["Mars", "70"])
    assert "hotel" not in spans("Book a deluxe room for 2 nights at the Marriott hotel in New York", ["New York", "deluxe", "2"])
    assert "Chicago" in spans("Flights from Boston to Denver and from Chicago to Miami", ["Boston", "Denver"])


class _Prefers:
    """A stand-in for the model in `next_value`: the call that writes `value` scores highest, the
    call repeating the value just written next, every other call last."""

    n_tokens = 0

    def __init__(self, value: str, again: str):
        self.value, self.again = json.dumps(value), json.dumps(again)

    def score_options(self, texts):
        return [(0.0 if t.endswith(self.value) else -1.0 if t.endswith(self.again) else -2.0, None) for t in texts]

    def truncate(self, n):
        pass


def test_the_next_value_is_a_span_the_arguments_pattern_allows():
    from agent.llm._local.spans import SpanRules, span_pattern
    from agent.llm._local.values import next_value

    request = "cancel yoga, pilates at noon"
    schema = {"type": "object", "properties": {"event": {"type": "string", "pattern": span_pattern(request, rules=SpanRules(not_last=frozenset({"at"})))}},
              "required": ["event"]}
    opener = '[{"name":"cancel_event","arguments":'
    # the model's favourite ends with a joining word, which the pattern refuses: the next span it allows instead
    assert next_value(_Prefers("pilates at", "yoga"), opener, {"event": "yoga"}, schema, request) == ("event", "pilates")
    unruled = {**schema, "properties": {"event": {"type": "string", "pattern": span_pattern(request)}}}
    assert next_value(_Prefers("pilates at", "yoga"), opener, {"event": "yoga"}, unruled, request) == ("event", "pilates at")


def test_records_of_several_values_list_their_next_item():
    # the call's values written together are one item ("Pad Thai for 4"); a number between names is another argument's
    def after(request: str, call: list[str], earlier: tuple[str, ...] = ()) -> set[str]:
        return {span for _, span in candidates(request, [*call, *earlier], call[0], call)}

    assert "Guacamole" in after("scale Pad Thai for 4 and Guacamole for 12", ["Pad Thai", "4"])
    assert "Guacamole" in after("scale Pad Thai for 4 and Guacamole for 12", ["Pad Thai", "12"])
    assert "budget sync" in after("cancel the yoga class on Friday and the budget sync on Monday", ["yoga class", "Friday"])
    # a record holds one value of each: "80" starts the next ("50 EUR" is one item), an earlier call's value is no part of it
    assert "80" in after("How much are 50 EUR and 80 EUR in NOK?", ["50", "EUR", "NOK"])
    assert "lee@example.org" in after("email dana@example.org, lee@example.org and pat@example.org", ["dana@example.org"], ("pat@example.org",))
    assert "Porto" in after("weather in Lisbon, Porto for 3 days", ["Lisbon", "3"])
    # written between the same two words as the value: another value, however far
    assert "30" in {s for _, s in candidates("start two timers, one for 5 minutes and one for 30 minutes", ["5"], "5")}
    assert "30" not in {s for _, s in candidates("start a timer for 5 minutes and tell me what 30 people eat", ["5"], "5")}
