"""One retry policy for everything that talks to a remote service (LLM APIs, data APIs, tools).

Exponential backoff with jitter, a bounded number of attempts (and optionally an overall deadline);
when the failure carries the server's own hint (`exc.retry_after`, seconds, from a `Retry-After`
header), that hint is honoured, capped at `max_backoff`. Built on tenacity.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable
from typing import Any

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, stop_after_delay, wait_exponential, wait_random

__all__ = ["retrying", "retry_after_seconds"]


def retrying(
    *,
    attempts: int,
    retry_if: Callable[[BaseException], bool],
    backoff: float = 0.5,
    max_backoff: float = 20.0,
    deadline: float | None = None,
    pause_first: bool = False,
) -> AsyncRetrying:
    """A tenacity `AsyncRetrying`: `async for attempt in retrying(...): with attempt: ...`.

    `pause_first`: also back off before the first attempt (for callers that already saw one failure
    and retry only after it). The last exception is re-raised when the attempts are spent.
    """
    stop: Any = stop_after_attempt(max(1, attempts))
    if deadline is not None:
        stop = stop | stop_after_delay(deadline)
    exponential = wait_exponential(multiplier=backoff, max=max_backoff) + wait_random(0, backoff)

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after", None)
        if hint is not None:
            return min(max(0.0, float(hint)), max_backoff)
        return float(exponential(state))

    async def before(state: Any) -> None:
        if pause_first and state.attempt_number == 1:
            await asyncio.sleep(backoff + random.uniform(0, backoff))

    return AsyncRetrying(stop=stop, wait=wait, retry=retry_if_exception(retry_if), before=before, reraise=True)


def retry_after_seconds(value: str | None) -> float | None:
    """A `Retry-After` header in seconds (delta-seconds or an HTTP date), or None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
