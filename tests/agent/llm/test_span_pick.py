"""Which decoded span values are scored whole when the likeliest starts did not reach them (no model)."""

from agent.llm._local.span_pick import unscored


def test_another_value_the_scoring_did_not_reach_is_scored():
    assert unscored({"song": ({"Clair de Lune": -2.6, "Lune": -4.1}, {})}, {"song": "Focus"})


def test_a_value_sharing_a_word_with_the_best_span_is_not():
    # a whole value scores lower the longer it is: a part of the decoded value is no other reading
    assert not unscored({"text": ({"how are you": -3.0}, {})}, {"text": "Hello, how are you?"})
    assert not unscored({"museum": ({"Museum of Modern Art": -3.0}, {})}, {"museum": "Museum of Modern Art,"})


def test_a_value_an_earlier_argument_took_is_left_to_distinct():
    scored = {"origin": ({"Paris": -1.0}, {}), "destination": ({"Rome": -2.0}, {"origin": "Paris"})}
    assert not unscored(scored, {"origin": "Paris", "destination": "Paris"})
    assert unscored(scored, {"origin": "Paris", "destination": "Oslo"})
