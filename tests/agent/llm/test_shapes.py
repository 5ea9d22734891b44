"""A description's example shows its argument's form (no model): shapes and the words that have them."""

from agent.llm._local.shapes import shape, shaped_values


def test_a_shape_writes_each_run_of_capitals_letters_and_digits_once():
    assert shape("pat@example.org") == "a@a.a"
    assert shape("X100") == "A9" and shape("EV-2031") == "A-9"
    assert shape("2025-06-12") == "9-9-9" and shape("14:30") == "9:9"


def test_the_words_of_an_examples_shape_are_the_values():
    about = "The order number, e.g. X100"
    assert shaped_values(about, "My order X245 never came, I live at 12 Elm Street") == ["X245"]
    assert shaped_values("Email address, such as pat@example.org.", "mail dana@example.org and lee@example.org.") == \
        ["dana@example.org", "lee@example.org"]
    assert shaped_values("The day, e.g. 2025-06-12", "what's on 2025-06-13 or on Friday?") == ["2025-06-13"]


def test_names_codes_and_plain_numbers_show_no_shape():
    assert shaped_values("The city, e.g. Paris", "Rome or Oslo") == []
    assert shaped_values("An ISO code like USD", "500 CAD in JPY") == []  # letters only
    assert shaped_values("How many, e.g. 3", "4 tickets") == []  # a plain number
    assert shaped_values("The order number, e.g. X100", "where is my parcel?") == []  # nothing of that shape
