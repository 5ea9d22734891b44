"""A follow-up changes the value it names, with the REAL embedded model on a user's own
orchestrations (the library domain, written as the README tells a user to): left alone, the model
copies the earlier call whole ("Dune" is a span of "Children of Dune" too)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import LIBRARY, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def agent():
    return agent_on(LlamaCppChat(n_threads=2, context="follow-ups-test"), LIBRARY)


def route(agent, then: str) -> list[tuple[str, dict]]:
    session = agent.new_session()
    session.memory.add_turn("is Dune available at Northside?", "Yes, 2 copies.",
                            [{"name": "check_availability", "arguments": {"title": "Dune", "branch": "Northside"}}])
    outcome = asyncio.run(agent.route(then, session))
    return [(r.name, r.arguments()) for r in outcome.routes]


def test_a_follow_up_takes_the_value_it_names(agent):
    assert route(agent, "what about Children of Dune?") == [("check_availability", {"title": "Children of Dune", "branch": "Northside"})]


def test_a_follow_up_keeps_what_it_does_not_change(agent):
    assert route(agent, "and at Eastside?") == [("check_availability", {"title": "Dune", "branch": "Eastside"})]
