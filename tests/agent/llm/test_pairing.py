"""Values paired as written across the calls made for several values (no model)."""

from agent.llm._local.pairing import paired_as_written


def test_crossed_values_take_the_order_written():
    calls = [{"base": 10, "height": 7}, {"base": 15, "height": 5}]
    request = "find the area of a triangle with base 10 and height 5, and base 15 and height 7"
    assert paired_as_written(calls, request) == [{"base": 10, "height": 5}, {"base": 15, "height": 7}]


def test_calls_keep_the_order_of_their_first_value():
    calls = [{"city": "Porto", "days": 3}, {"city": "Lisbon", "days": 5}]
    assert paired_as_written(calls, "weather in Lisbon for 3 days and Porto for 5 days") == [
        {"city": "Lisbon", "days": 3}, {"city": "Porto", "days": 5}]


def test_a_repeated_number_takes_the_one_written_beside_each_value():
    calls = [{"recipe": "Pad Thai", "servings": 12}, {"recipe": "Guacamole", "servings": 12}]
    assert [c["servings"] for c in paired_as_written(calls, "scale Pad Thai for 4 and Guacamole for 12")] == [4, 12]
    assert [c["servings"] for c in paired_as_written(calls, "12 servings of Pad Thai and 4 of Guacamole")] == [12, 4]


def test_a_value_shared_by_every_call_stays():
    calls = [{"city": "Lisbon", "days": 3}, {"city": "Porto", "days": 3}]
    assert paired_as_written(calls, "weather in Lisbon and Porto for 3 days") == calls
    # two numbers, but not one beside each city: the second is no city's
    assert paired_as_written(calls, "weather in Lisbon and Porto for 3 days from June 5") == calls


def test_a_value_written_twice_keeps_its_call():
    calls = [{"a": "x", "b": "Oslo"}, {"a": "y", "b": "Bergen"}]
    # "y" is written first, so its call leads; Oslo is written twice, so no order pairs it anew
    assert paired_as_written(calls, "y and x, Oslo, Bergen, Oslo") == [{"a": "y", "b": "Bergen"}, {"a": "x", "b": "Oslo"}]


def test_a_number_that_is_no_such_value_is_not_paired():
    calls = [{"restaurant": "Nobu", "party_size": 4}, {"restaurant": "Zuma", "party_size": 4}]
    assert paired_as_written(calls, "Book Nobu for 7pm and Zuma, both for 4 people") == calls  # 7pm is a time
    held = [{"restaurant": "Nobu", "time": "7", "size": 4}, {"restaurant": "Zuma", "time": "7", "size": 4}]
    assert paired_as_written(held, "Book Nobu at 7 and Zuma for 4") == held  # 7 is another argument's
    halves = [{"recipe": "Pad Thai", "servings": 12}, {"recipe": "Guacamole", "servings": 12}]
    assert paired_as_written(halves, "scale Pad Thai for 4.5 and Guacamole for 12") == halves  # no integer


def test_values_two_arguments_share_are_not_paired_anew():
    calls = [{"gauge": 2, "atm": 1}, {"gauge": 1, "atm": 2}]
    request = "the absolute pressure given atmospheric pressure of 1 atm and a gauge pressure of 2 atm"
    assert sorted((c["gauge"], c["atm"]) for c in paired_as_written(calls, request)) == [(1, 2), (2, 1)]
