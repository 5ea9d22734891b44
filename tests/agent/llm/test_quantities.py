"""A percentage the request writes is a fraction, for a number argument that does not take one."""

from __future__ import annotations

import json

from agent.llm._local.quantities import percent_as_fraction, takes_percent

SCHEMA = {"type": "object", "properties": {
    "principal": {"type": "number"},
    "rate": {"type": "number", "description": "The annual interest rate."},
    "annual_rate": {"type": "number", "description": "The interest rate for a year as a percentage."},
    "years": {"type": "integer"},
    "share": {"type": "integer", "description": "Share of the total."},
    "markup": {"type": "number", "minimum": 1, "description": "The markup."},
    "brightness": {"type": "number", "minimum": 0, "maximum": 100, "description": "How bright."},
    "share_of_one": {"type": "number", "maximum": 1},
}}


def _normalized(args: dict, text: str) -> dict:
    return json.loads(percent_as_fraction(json.dumps(args), SCHEMA, text))


def test_a_rate_written_as_a_percentage_is_a_fraction():
    assert _normalized({"principal": 5000, "rate": 5}, "$5,000 at an annual interest rate of 5% for 3 years") == {"principal": 5000, "rate": 0.05}
    assert _normalized({"rate": 2.5}, "a rate of 2.5 percent") == {"rate": 0.025}
    assert _normalized({"rate": 5.5}, "at 5.50%") == {"rate": 0.055}
    assert _normalized({"rate": 5}, "at five percent") == {"rate": 0.05}


def test_an_argument_that_takes_a_percentage_keeps_it():
    assert _normalized({"annual_rate": 5}, "at 5%") == {"annual_rate": 5}
    assert _normalized({"markup": 20}, "a 20% markup") == {"markup": 20}  # its minimum says no fraction
    assert _normalized({"brightness": 40}, "dim the lights to 40%") == {"brightness": 40}  # its maximum: 0..100
    assert _normalized({"share_of_one": 40}, "a 40% share") == {"share_of_one": 0.4}
    assert takes_percent("sales_increase_percentage", {}) and not takes_percent("rate", SCHEMA["properties"]["rate"])


def test_an_integer_or_a_number_also_written_plainly_keeps_its_value():
    assert _normalized({"share": 40}, "a 40% share") == {"share": 40}
    assert _normalized({"rate": 5}, "5% a year for 5 years") == {"rate": 5}  # which 5 is the rate: not said
    assert _normalized({"rate": 5}, "a rate of 5") == {"rate": 5}


def test_a_follow_up_s_percentage_is_read_in_its_own_message():
    conversation = "$2,000 at 4% over 6 years\nwhat about at 6%?"
    assert _normalized({"rate": 6}, conversation) == {"rate": 6}  # 6 years and 6%: which is the rate?
    normalized = percent_as_fraction('{"rate":6}', SCHEMA, conversation, "what about at 6%?")
    assert json.loads(normalized) == {"rate": 0.06}


def test_arguments_that_are_not_an_object_are_left_alone():
    assert percent_as_fraction("[5]", SCHEMA, "5%") == "[5]"
