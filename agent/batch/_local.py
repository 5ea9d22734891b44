"""The local runner: one process, at most `concurrency` items in flight, each result handed on as it finishes.

Data steps of different items run concurrently. The embedded model takes one request at a time
(its lock), so with `--backend local` the items queue for it; against a model server (the OpenAI
backend) up to `concurrency` requests are in flight, and 429s are retried by the backend.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from agent.batch._items import BatchItem
from agent.batch._worker import BatchConfig, ItemRunner

__all__ = ["run_local"]

Sink = Callable[[dict[str, Any]], None]


async def run_local(items: Iterable[BatchItem], config: BatchConfig, sink: Sink, *, runner: ItemRunner | None = None) -> None:
    """Run `items` with `config.concurrency` workers pulling from one queue; `sink` gets every record.

    The agent is built once (or `runner` is used as given). Cancelling stops the items in flight;
    records already handed to `sink` stay.
    """
    todo = list(items)
    own = runner is None
    if runner is None:
        runner = await asyncio.to_thread(ItemRunner, config, build_model=config.needs_model(todo))
    queue = iter(todo)

    async def worker(r: ItemRunner) -> None:
        for item in queue:  # a shared iterator: each item is taken by exactly one worker
            sink(await r.run(item))

    try:
        await asyncio.gather(*(worker(runner) for _ in range(min(config.concurrency, len(todo)) or 1)))
    finally:
        if own:
            await runner.aclose()
