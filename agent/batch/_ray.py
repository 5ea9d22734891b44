"""The Ray runner: items on Ray actors that each build their agent (and model, or model-server client) once.

`address=None` starts a local Ray cluster for the run (and stops it after); `"auto"` or
`"ray://HOST:10001"` joins an existing one. Each actor runs up to `config.concurrency` items at a
time; results come back as they finish and go to the caller's `sink` (the one resumable writer).
An item whose actor dies (the process crashed, the node went away) is retried on a new actor, up
to `max_attempts` runs in all; after that it is an error line.

How many actors: each asks for `cpus_per_actor` CPUs, by default `LOCAL_MODEL_CPUS` when it runs
the embedded model of `--backend local` (measured by `python -m bench batch`: two models on 2 cores
fight over them), else one; a cluster gets as many actors as its CPUs hold, unless `actors` says.
A local cluster started here gives its workers the driver's `sys.path` (your own modules import).
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.batch._items import BatchItem
from agent.batch._worker import BatchConfig, ItemRunner

__all__ = ["RayOptions", "run_ray", "local_runtime_env", "LOCAL_MODEL_CPUS"]

log = logging.getLogger(__name__)
Sink = Callable[[dict[str, Any]], None]

LOCAL_MODEL_CPUS = 2
"""CPUs an actor with the embedded model asks for: one such actor per 2 cores (see bench/batch.py)."""


@dataclass
class RayOptions:
    """`address`: None starts a local cluster (`num_cpus` CPUs, default all); else the cluster to join.

    `actors`: how many (default: what the cluster's CPUs hold); `cpus_per_actor`: the CPUs each
    asks for (default: `LOCAL_MODEL_CPUS` for the built-in local backend, else 1; give your own
    agent factory on the embedded model 2); `max_attempts`: runs of an item whose actor keeps dying.
    """

    address: str | None = None
    actors: int | None = None
    num_cpus: int | None = None
    cpus_per_actor: float | None = None
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
    try:
        import ray
    except ImportError:
        raise RuntimeError("Ray is not installed: pip install 'finagent[ray]'") from None

    options = options or RayOptions()
    started = not ray.is_initialized()
    if started:
        init: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "runtime_env": options.runtime_env}
        if options.address is None:
            init["num_cpus"] = options.num_cpus
            init["runtime_env"] = options.runtime_env or local_runtime_env()
        else:
            init["address"] = options.address
        ray.init(**init)
    try:
        pool = _Pool(ray, items, config, sink, options)
        try:
            pool.run()
        finally:
            pool.close()
    finally:
        if started:
            ray.shutdown()


@dataclass(eq=False)
class _Worker:
    """One actor, the runs it has in flight, and whether it runs a retried item alone."""

    handle: Any
    load: int = 0
    alone: bool = False
    dead: bool = False


class _Pool:
    """The actors, the items waiting, and the runs in flight (at most `concurrency` per actor)."""

    def __init__(self, ray: Any, items: list[BatchItem], config: BatchConfig, sink: Sink, options: RayOptions):
        self.ray, self.config, self.sink, self.options = ray, config, sink, options
        self.waiting: deque[BatchItem] = deque(items)
        self.retries: deque[tuple[BatchItem, int]] = deque()
        self.build_model = config.needs_model(items)
        own_model = self.build_model and config.backend == "local" and config.agent_factory is None
        cpus = options.cpus_per_actor or (LOCAL_MODEL_CPUS if own_model else 1.0)
        total = float(ray.cluster_resources().get("CPU", 1.0))
        self.cpus = min(cpus, total)
        wanted = options.actors or max(1, int(total // self.cpus))
        self.workers = [self._worker() for _ in range(min(wanted, max(1, len(items))))]
        self.in_flight: dict[Any, tuple[BatchItem, int, _Worker]] = {}  # ref -> (item, attempt, worker)
        self._ready()

    def _ready(self) -> None:
        """Wait for the actors to build their agents: a failure there is the run's, not an item's."""
        from ray.exceptions import RayActorError

        try:
            self.ray.get([w.handle.pid.remote() for w in self.workers])
        except RayActorError as e:
            for worker in self.workers:
                self.ray.kill(worker.handle, no_restart=True)
            raise RuntimeError(f"a Ray worker could not build its agent: {_cause(e)}") from None

    def _worker(self) -> _Worker:
        remote = self.ray.remote(BatchActor).options(num_cpus=self.cpus, max_concurrency=self.config.concurrency, max_restarts=0)
        return _Worker(remote.remote(self.config, self.build_model))

    def run(self) -> None:
        while self.waiting or self.retries or self.in_flight:
            self._submit()
            done, _ = self.ray.wait(list(self.in_flight), num_returns=1)
            for ref in done:
                self._finish(ref)

    def _submit(self) -> None:
        """Fill the actors. An item whose worker died runs again alone on an idle actor, so that an
        item which kills its worker cannot use up the attempts of the items that ran beside it;
        while such retries wait, no new item starts."""
        for worker in self.workers:
            if self.retries and worker.load == 0:
                worker.alone = True
                self._start(worker, *self.retries.popleft())
        if self.retries:
            return
        for worker in self.workers:
            while self.waiting and not worker.alone and worker.load < self.config.concurrency:
                self._start(worker, self.waiting.popleft(), 1)

    def _start(self, worker: _Worker, item: BatchItem, attempt: int) -> None:
        ref = worker.handle.run.remote(item.to_dict())
        self.in_flight[ref] = (item, attempt, worker)
        worker.load += 1

    def _finish(self, ref: Any) -> None:
        from ray.exceptions import RayActorError, WorkerCrashedError

        item, attempt, worker = self.in_flight.pop(ref)
        worker.load -= 1
        worker.alone = False
        try:
            record = self.ray.get(ref)
        except (RayActorError, WorkerCrashedError) as e:
            self._replace(worker)
            if attempt < self.options.max_attempts:
                log.warning("the worker running item %r died; running it again (attempt %d)", item.id, attempt + 1)
                self.retries.append((item, attempt + 1))
                return
            record = _died(item, attempt, e, self.config.findings_only)
        self.sink(record)

    def close(self) -> None:
        """End the actors (and their models): a cluster that outlives the run gets its CPUs back."""
        for worker in self.workers:
            self.ray.kill(worker.handle, no_restart=True)

    def _replace(self, dead: _Worker) -> None:
        """A new actor in place of one that died (once: its other runs fail too and find it replaced)."""
        if dead.dead:
            return
        dead.dead = True
        self.workers.remove(dead)
        self.ray.kill(dead.handle, no_restart=True)
        self.workers.append(self._worker())


def local_runtime_env() -> dict[str, Any]:
    """Workers of a cluster on this machine import what the driver imports: its `sys.path` as PYTHONPATH."""
    paths = [p for p in sys.path if p and os.path.isdir(p)]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}}


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
