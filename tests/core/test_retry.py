"""The one retry policy (core.retry): attempts, backoff, the server's Retry-After hint, the deadline."""

from __future__ import annotations

import email.utils
import time

import pytest

from core import retry_after_seconds, retrying


class Busy(Exception):
    def __init__(self, retry_after: float | None = None):
        super().__init__("busy")
        self.retry_after = retry_after


async def attempts_until(policy, failures: list[BaseException]) -> tuple[int, object]:
    """Run `policy` over a function that raises `failures` in turn, then returns 'ok'."""
    count = 0
    async for attempt in policy:
        with attempt:
            count += 1
            if failures:
                raise failures.pop(0)
            return count, "ok"
    raise AssertionError("unreachable")


async def test_retries_what_it_is_told_to_and_gives_up_after_the_attempts():
    policy = retrying(attempts=3, retry_if=lambda e: isinstance(e, Busy), backoff=0.001, max_backoff=0.01)
    assert await attempts_until(policy, [Busy(), Busy()]) == (3, "ok")
    policy = retrying(attempts=3, retry_if=lambda e: isinstance(e, Busy), backoff=0.001, max_backoff=0.01)
    with pytest.raises(Busy):
        await attempts_until(policy, [Busy(), Busy(), Busy()])


async def test_an_error_it_is_not_told_to_retry_is_raised_at_once():
    policy = retrying(attempts=5, retry_if=lambda e: isinstance(e, Busy), backoff=0.001)
    failures: list[BaseException] = [ValueError("bad request"), Busy()]
    with pytest.raises(ValueError):
        await attempts_until(policy, failures)
    assert len(failures) == 1  # the second failure was never reached


async def test_the_servers_retry_after_is_honoured_and_capped():
    policy = retrying(attempts=2, retry_if=lambda e: isinstance(e, Busy), backoff=5.0, max_backoff=0.2)
    start = time.perf_counter()
    await attempts_until(policy, [Busy(retry_after=30)])  # capped at max_backoff, not 30 s nor the 5 s backoff
    waited = time.perf_counter() - start
    assert 0.15 <= waited < 2.0


def test_retry_after_headers_in_seconds_or_as_an_http_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(" 0.5 ") == 0.5
    assert retry_after_seconds("-3") == 0.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    assert 100 <= retry_after_seconds(later) <= 121
