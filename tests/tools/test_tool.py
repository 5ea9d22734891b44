import asyncio

import pytest

from tools import ToolArgumentsError, ToolError, ToolRunner, ToolTimeoutError, tool


@tool
def add(a: int, b: int = 1) -> int:
    """Add two numbers."""
    return a + b


@tool(timeout=0.05, retries=0)
async def sleepy(seconds: float) -> str:
    """Sleep."""
    await asyncio.sleep(seconds)
    return "woke"


async def test_sync_and_async_tools_run():
    assert await add(a=2, b=3) == 5
    assert await sleepy(seconds=0) == "woke"
    assert add.is_async is False and sleepy.is_async is True


async def test_null_means_default_and_json_text_is_accepted():
    assert add.validate({"a": 2, "b": None}).b == 1
    assert add.validate('{"a": 4}').a == 4


@pytest.mark.parametrize(
    "arguments, fragment",
    [
        ({"a": "x"}, "a: Input should be a valid integer"),
        ({}, "a: Field required"),
        ({"a": 1, "c": 2}, "unknown argument(s) 'c'; expected: a, b"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
    ],
)
def test_bad_arguments_give_a_typed_readable_error(arguments, fragment):
    with pytest.raises(ToolArgumentsError) as info:
        add.validate(arguments)
    assert fragment in str(info.value)
    assert str(info.value).startswith("add:")


async def test_timeout_is_a_typed_error():
    with pytest.raises(ToolTimeoutError, match="timed out after 0.05s"):
        await sleepy(seconds=1)


async def test_transient_errors_are_retried_and_permanent_ones_are_not():
    attempts = {"flaky": 0, "broken": 0}

    @tool(retries=3)
    async def flaky() -> str:
        """Fails twice."""
        attempts["flaky"] += 1
        if attempts["flaky"] < 3:
            raise ToolError("upstream hiccup", transient=True)
        return "ok"

    @tool(retries=3)
    async def broken() -> str:
        """Always fails."""
        attempts["broken"] += 1
        raise ToolError("bad symbol", kind="unknown_symbol")

    assert await flaky() == "ok" and attempts["flaky"] == 3
    with pytest.raises(ToolError, match="bad symbol"):
        await broken()
    assert attempts["broken"] == 1


async def test_runner_turns_every_failure_into_a_result_and_goes_on():
    @tool
    def explode() -> int:
        """Raises."""
        raise RuntimeError("kaboom")

    events = []
    runner = ToolRunner([add, explode, sleepy], emit=events.append)
    results = await asyncio.gather(
        runner.call("add", {"a": 1}),
        runner.call("explode"),
        runner.call("add", {"a": "one"}),
        runner.call("nope", {}),
        runner.call("sleepy", {"seconds": 1}),
    )
    ok, boom, invalid, unknown, slow = results
    assert ok.ok and ok.value == 2
    assert (boom.ok, boom.error_kind, boom.error) == (False, "exception", "RuntimeError: kaboom")
    assert invalid.error_kind == "invalid_arguments"
    assert unknown.error_kind == "unknown_tool" and "available: add, explode, sleepy" in unknown.error
    assert slow.error_kind == "timeout"
    finished = [e for e in events if type(e).__name__ == "ToolCallFinished"]
    started = [e for e in events if type(e).__name__ == "ToolCallStarted"]
    assert len(started) == len(finished) == 5
    assert '"kind":"timeout"' in slow.to_text()


async def test_identical_calls_in_one_run_are_served_once():
    calls = []

    @tool
    async def price(symbol: str) -> float:
        """Price."""
        calls.append(symbol)
        await asyncio.sleep(0.01)
        return 1.0

    events = []
    runner = ToolRunner([price], emit=events.append)
    first = await asyncio.gather(runner.call("price", {"symbol": "A"}), runner.call("price", {"symbol": "A"}))
    again = await runner.call("price", {"symbol": "A"})
    other = await runner.call("price", {"symbol": "B"})
    assert calls == ["A", "B"]
    assert all(r.value == 1.0 for r in [*first, again, other])
    assert [e.cached for e in events if type(e).__name__ == "ToolCallFinished"].count(True) == 2
    assert await ToolRunner([price]).call("price", {"symbol": "A"}) and calls == ["A", "B", "A"]  # a new run


async def test_failures_are_not_memoised():
    state = {"n": 0}

    @tool(retries=0)
    def once_broken() -> int:
        """Fails the first time."""
        state["n"] += 1
        if state["n"] == 1:
            raise ValueError("first")
        return state["n"]

    runner = ToolRunner([once_broken])
    assert not (await runner.call("once_broken")).ok
    assert (await runner.call("once_broken")).value == 2


def test_long_results_are_shortened_visibly():
    from tools import ToolResult

    text = ToolResult("t", {}, True, "x" * 10_000).to_text(limit=500)
    assert len(text) < 600 and "shortened" in text and "left out" in text
