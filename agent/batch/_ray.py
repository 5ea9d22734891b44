"""The Ray runner: items on Ray actors that each build their agent (and model, or model-server client) once.

`address=None` starts a local Ray cluster for the run (and stops it after); `"auto"` or
`"ray://HOST:10001"` joins an existing one. Each actor runs up to `config.concurrency` items at a
time; results come back as they finish and go to the caller's `sink` (the one resumable writer).
An item whose actor dies (the process crashed, the node went away) is retried on a new actor, up
to `max_attempts` runs in all; after that it is an error line.

How many actors: an actor that runs the embedded model asks for `model_cpus` CPUs (default
`LOCAL_MODEL_CPUS`, measured by `python -m bench batch`: two models on 2 cores fight over them),
other actors for one CPU; a cluster gets as many actors as its CPUs hold, unless `actors` says.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.batch._items import BatchItem
from agent.batch._worker import BatchConfig, ItemRunner

__all__ = ["RayOptions", "run_ray", "LOCAL_MODEL_CPUS"]

log = logging.getLogger(__name__)
Sink = Callable[[dict[str, Any]], None]

LOCAL_MODEL_CPUS = 2
"""CPUs an actor with the embedded model asks for: one such actor per 2 cores (see bench/batch.py)."""


@dataclass
class RayOptions:
    """`address`: None starts a local cluster (`num_cpus` CPUs, default all); else the cluster to join.

    `actors`: how many (default: what the cluster's CPUs hold); `model_cpus`: CPUs per actor that
    runs the embedded model; `max_attempts`: runs of an item whose actor keeps dying.
    """

    address: str | None = None
    actors: int | None = None
    num_cpus: int | None = None
    model_cpus: float = LOCAL_MODEL_CPUS
    max_attempts: int = 3
    runtime_env: dict[str, Any] | None = None


class BatchActor:
    """One Ray worker: builds its `ItemRunner` once, then runs items (async: several at a time)."""

    def __init__(self, config: BatchConfig, build_model: bool):
        self.runner = ItemRunner(config, build_model=build_model)

    def pid(self) -> int:
        return os.getpid()

    async def run(self, item: dict[str, Any]) -> dict[str, Any]:
        return await self.runner.run(BatchItem.from_dict(item))


def run_ray(items: list[BatchItem], config: BatchConfig, sink: Sink, options: RayOptions | None = None) -> None:
    """Run `items` on Ray; `sink` gets each record in the calling process as it finishes."""
    import ray

    options = options or RayOptions()
    started = not ray.is_initialized()
    if started:
        init: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "runtime_env": options.runtime_env}
        if options.address is None:
            init["num_cpus"] = options.num_cpus
        else:
            init["address"] = options.address
        ray.init(**init)
    try:
        _Pool(ray, items, config, sink, options).run()
    finally:
        if started:
            ray.shutdown()


class _Pool:
    """The actors, the items waiting, and the runs in flight (at most `concurrency` per actor)."""

    def __init__(self, ray: Any, items: list[BatchItem], config: BatchConfig, sink: Sink, options: RayOptions):
        self.ray, self.config, self.sink, self.options = ray, config, sink, options
        self.waiting: deque[tuple[BatchItem, int]] = deque((item, 1) for item in items)
        self.build_model = config.needs_model(items)
        cpus = options.model_cpus if self.build_model and config.backend == "local" and config.agent_factory is None else 1.0
        total = float(ray.cluster_resources().get("CPU", 1.0))
        self.cpus = min(cpus, total)
        wanted = options.actors or max(1, int(total // self.cpus))
        self.actors = [self._actor() for _ in range(min(wanted, max(1, len(items))))]
        self.in_flight: dict[Any, tuple[BatchItem, int, Any]] = {}  # ref -> (item, attempt, actor)
        self.load: dict[Any, int] = {id(a): 0 for a in self.actors}
        self._ready()

    def _ready(self) -> None:
        """Wait for the actors to build their agents: a failure there is the run's, not an item's."""
        from ray.exceptions import RayActorError

        try:
            self.ray.get([a.pid.remote() for a in self.actors])
        except RayActorError as e:
            for actor in self.actors:
                self.ray.kill(actor, no_restart=True)
            raise RuntimeError(f"a Ray worker could not build its agent: {_cause(e)}") from None

    def _actor(self) -> Any:
        remote = self.ray.remote(BatchActor).options(num_cpus=self.cpus, max_concurrency=self.config.concurrency, max_restarts=0)
        return remote.remote(self.config, self.build_model)

    def run(self) -> None:
        while self.waiting or self.in_flight:
            self._submit()
            done, _ = self.ray.wait(list(self.in_flight), num_returns=1)
            for ref in done:
                self._finish(ref)

    def _submit(self) -> None:
        for actor in list(self.actors):
            while self.waiting and self.load[id(actor)] < self.config.concurrency:
                item, attempt = self.waiting.popleft()
                ref = actor.run.remote(item.to_dict())
                self.in_flight[ref] = (item, attempt, actor)
                self.load[id(actor)] += 1

    def _finish(self, ref: Any) -> None:
        from ray.exceptions import RayActorError, WorkerCrashedError

        item, attempt, actor = self.in_flight.pop(ref)
        if id(actor) in self.load:
            self.load[id(actor)] -= 1
        try:
            record = self.ray.get(ref)
        except (RayActorError, WorkerCrashedError) as e:
            self._replace(actor)
            if attempt < self.options.max_attempts:
                log.warning("the worker running item %r died; running it again (attempt %d)", item.id, attempt + 1)
                self.waiting.appendleft((item, attempt + 1))
                return
            record = _died(item, attempt, e, self.config.findings_only)
        self.sink(record)

    def _replace(self, dead: Any) -> None:
        """A new actor in place of one that died (once: its other runs fail too and find it gone)."""
        if id(dead) not in self.load:
            return
        self.actors.remove(dead)
        del self.load[id(dead)]
        self.ray.kill(dead, no_restart=True)
        fresh = self._actor()
        self.actors.append(fresh)
        self.load[id(fresh)] = 0


def _died(item: BatchItem, attempts: int, error: BaseException, findings_only: bool) -> dict[str, Any]:
    record: dict[str, Any] = {"id": item.id, "calls": [], "findings": []}
    if not findings_only:
        record["answer"] = None
    reason = _cause(error)
    record.update(figures=None, usage={"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0, "requests": 0},
                  error=f"the worker died on each of {attempts} attempts: {type(error).__name__}: {reason}", seconds=None)
    return record


def _cause(error: BaseException) -> str:
    """The line of a Ray error that says what went wrong (Ray puts a traceback around it)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    named = [line for line in lines if ":" in line and not line.startswith(("File ", "Traceback", "ray::"))]
    return (named or lines or [type(error).__name__])[-1][:500]
