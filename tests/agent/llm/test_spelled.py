"""Numbers written in words or scaled, read as the digits they state (a declared normalization)."""

from __future__ import annotations

from agent.llm._local.arguments import numbers_in
from agent.llm._local.spelled import digits


def test_number_words_and_scales_are_read_as_digits():
    assert numbers_in("Book a single room for two nights") == [2]
    assert numbers_in("What will the population be over the next five years?") == [5]
    assert numbers_in("the population is 213 million and the land area 8.5 million") == [213_000_000, 8_500_000]
    assert numbers_in("revenues of $1M in 2019 and $1.2M in 2020") == [1_000_000, 2019, 1_200_000, 2020]
    assert numbers_in("a population of two million, twenty five cities, five hundred towns") == [2_000_000, 25, 500]
    assert numbers_in("2.01 million") == [2_010_000]  # exactly


def test_a_number_word_beside_digits_counts_them_and_is_no_value():
    assert numbers_in("the greatest common divisor of two numbers: 40 and 50") == [40, 50]
    assert numbers_in("Two of them. Then 40 and 50") == [2, 40, 50]  # each sentence on its own
    assert numbers_in("Room for 2 adults\nTwo nights") == [2]  # each line too: 2 and 2
    assert numbers_in("Room for 3 adults\nTwo nights") == [3, 2]


def test_one_names_and_other_words_stay_words():
    assert digits("the one with backstage access") == "the one with backstage access"
    assert digits("tickets for Ocean's Eleven for five") == "tickets for Ocean's Eleven for 5"
    assert digits("Two adults, please") == "2 adults, please"  # a sentence opens with it
    assert digits("a six-sided die, a 5k run") == "a six-sided die, a 5k run"


def test_a_string_value_is_found_as_written():
    from agent.llm._local.cleanup import drop_unsupported_optionals

    schema = {"type": "object", "properties": {"city": {"type": "string"}, "restaurant": {"type": "string"}}, "required": ["city"]}
    args = '{"city":"Boston","restaurant":"seven seas"}'
    assert drop_unsupported_optionals(args, schema, "book a table at seven seas in Boston") == args
