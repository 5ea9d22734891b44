"""Email addresses and free text on a user's own orchestrations (the calendar and email domain,
written blind from the README), with the REAL embedded model: the recipient is the address the
request writes, as the description's example shows, and an optional body the request does not
dictate cannot run the call to its length cap (it did: an invalid call, and no email)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.domains import CALENDAR, agent_on  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture(scope="module")
def agent():
    return agent_on(LlamaCppChat(n_threads=2, context="shapes-test"), CALENDAR)


def routes(agent, query: str) -> list[tuple[str, dict]]:
    outcome = asyncio.run(agent.route(query, agent.new_session()))
    return [(r.name, r.arguments()) for r in outcome.routes]


def test_the_recipient_is_the_address_the_request_writes(agent):
    [(name, args)] = routes(agent, "send dana@example.org an email titled Venue shortlist")
    assert name == "send_email" and args["to"] == "dana@example.org" and args["subject"] == "Venue shortlist"


def test_each_address_named_gets_its_email(agent):
    calls = routes(agent, "send the agenda to pat@example.org and morgan@example.org")
    assert [(n, a["to"]) for n, a in calls] == [("send_email", "pat@example.org"), ("send_email", "morgan@example.org")]


def test_a_time_is_the_start_times_and_its_number_no_duration(agent):
    # the date was "11am," and the start time "tomorrow"; the duration 11, read from "11am"
    calls = routes(agent, "Book Vendor check-in tomorrow at 11am, then send the details to lee@example.org")
    event = next(a for n, a in calls if n == "create_event")
    assert event["start_time"] == "11am" and event["date"] == "tomorrow" and event.get("duration_minutes") in (None, 60)


def test_a_new_time_the_request_writes_is_the_new_start_time(agent):
    calls = routes(agent, "Push the budget sync to 4pm")
    assert [(n, a.get("new_start_time")) for n, a in calls] == [("reschedule_event", "4pm")]
