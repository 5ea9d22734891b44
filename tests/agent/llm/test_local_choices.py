"""The choice a request names among the values a user's description quotes, the choices a list
gets, and one call for a number written in another form, with the REAL embedded model on a user's own tools."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import Message, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, calls  # noqa: E402

pytestmark = EMBEDDED_MODEL

FACTORS = ToolSpec(
    "prime_factors", "The prime factors of a whole number.",
    {"type": "object", "properties": {
        "number": {"type": "integer", "description": "The number to factorize."},
        "shape": {"type": "string", "description": "How to return the factors: 'list' for every factor, 'dictionary' for a count of each. Default is 'list'."}},
     "required": ["number"], "additionalProperties": False},
)
POTENTIAL = ToolSpec(
    "electric_potential", "The electric potential between two charged bodies.",
    {"type": "object", "properties": {
        "charge1": {"type": "number", "description": "The charge of the first body."},
        "charge2": {"type": "number", "description": "The charge of the second body."},
        "distance": {"type": "number", "description": "The distance between the bodies."}},
     "required": ["charge1", "charge2", "distance"], "additionalProperties": False},
)
RESTAURANTS = ToolSpec(
    "find_restaurant", "Restaurants in a city that seat a party.",
    {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city, e.g. Leeds."},
        "party_size": {"type": "integer", "description": "How many people."},
        "cuisines": {"type": "array", "items": {"type": "string", "enum": ["Seafood", "Italian", "Indian", "Chinese"]},
                     "description": "Preferred cuisines. Default: any."}},
     "required": ["city", "party_size"], "additionalProperties": False},
)


@pytest.fixture(scope="module")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2, context="choices-test")


def test_the_described_value_the_request_names_is_written(llm):
    ((_, args),) = calls(llm, [Message.user("What are the prime factors of 60? Return them as a dictionary.")], [FACTORS], FACTORS.name)
    assert args == {"number": 60, "shape": "dictionary"}


def test_a_choice_the_request_does_not_name_is_left_to_the_default(llm):
    ((_, args),) = calls(llm, [Message.user("What are the prime factors of 84?")], [FACTORS], FACTORS.name)
    assert args == {"number": 84}


def test_a_number_written_in_another_form_is_no_second_value(llm):
    made = calls(llm, [Message.user("Potential between charges 1e-9 and 2e-9 of distance 0.05")], [POTENTIAL])
    assert made == [("electric_potential", {"charge1": 1e-9, "charge2": 2e-9, "distance": 0.05})]


@pytest.mark.parametrize("request_text, city, size, cuisines", [
    ("Find a table for 4 in Bath, we like italian and chinese", "Bath", 4, ["Italian", "Chinese"]),  # was ['Italian']
    ("Any good Indian place in Derby for 3 people?", "Derby", 3, ["Indian"]),  # was left out
])
def test_an_optional_list_of_choices_gets_the_ones_named_in_the_order_written(llm, request_text, city, size, cuisines):
    made = calls(llm, [Message.user(request_text)], [RESTAURANTS])
    assert made == [("find_restaurant", {"city": city, "party_size": size, "cuisines": cuisines})]
