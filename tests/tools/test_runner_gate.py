"""The runner's gate: asked before a call runs (not for a cached one); it may refuse or stop the caller."""

import pytest

from tools import ToolCallFinished, ToolRunner, tool

ran: list[str] = []


@tool(requires_approval=True)
def send(to: str) -> str:
    """Send a message."""
    ran.append(to)
    return f"sent to {to}"


@pytest.fixture(autouse=True)
def clear():
    ran.clear()


def test_the_flag_is_kept_on_the_tool():
    assert send.requires_approval is True and tool(lambda x: x).requires_approval is False


async def test_a_refusal_is_a_failed_result_and_the_tool_never_runs():
    events = []

    async def gate(t, arguments):
        return f"{t.name}({arguments['to']}) refused"

    result = await ToolRunner([send], emit=events.append, gate=gate).call("send", {"to": "bob"})
    assert not result.ok and result.error_kind == "denied" and result.error == "send(bob) refused"
    assert ran == [] and isinstance(events[-1], ToolCallFinished) and not events[-1].ok


async def test_a_gate_that_raises_stops_the_caller_before_the_call_starts():
    events = []

    class Stop(Exception):
        pass

    async def gate(t, arguments):
        raise Stop()

    with pytest.raises(Stop):
        await ToolRunner([send], emit=events.append, gate=gate).call("send", {"to": "bob"})
    assert ran == [] and events == []


async def test_a_cached_call_is_not_asked_again():
    asked = []

    async def gate(t, arguments):
        asked.append(arguments)
        return None

    runner = ToolRunner([send], gate=gate)
    assert (await runner.call("send", {"to": "bob"})).value == "sent to bob"
    assert (await runner.call("send", {"to": "bob"})).value == "sent to bob"
    assert asked == [{"to": "bob"}] and ran == ["bob"]
