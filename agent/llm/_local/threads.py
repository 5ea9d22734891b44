"""How many threads llama.cpp uses for a generation: all cores when they are free, fewer when other
processes keep them busy.

llama.cpp's worker threads meet at a barrier after every operation and spin while they wait. When
another process holds one of the cores, the thread scheduled out stalls every other one at the
next barrier, and the spinning ones burn the time the stalled one needs: on 2 cores beside two
busy processes a turn took 3.5x its quiet time, beside two other model processes 27x. A single
thread never waits at a barrier. `bench/threads.py` measures the choice (`python -m bench threads`).

The policy (`ThreadPolicy`): before each generation, sample how busy the machine's cores are
(`/proc/stat`, over `sample_s`; our own process is idle then, so this is the others' load), and use
`cores - busy` threads (at least 1), or all cores when fewer than `free_below` cores' worth is busy.
A fixed `n_threads` (e.g. `LlamaCppChat(n_threads=2)`) turns the policy off.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

__all__ = ["ThreadPolicy", "busy_cores"]


def _cpu_times() -> tuple[float, float] | None:
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [float(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0.0)  # idle + iowait
    return sum(fields[:8]), idle


def busy_cores(sample_s: float = 0.05) -> float | None:
    """Cores' worth of CPU other processes use right now (None where /proc/stat is not available)."""
    first = _cpu_times()
    if first is None:
        return None
    own = time.process_time()
    time.sleep(sample_s)
    second = _cpu_times()
    if second is None:
        return None
    total, idle = second[0] - first[0], second[1] - first[1]
    if total <= 0:
        return 0.0
    cores = os.cpu_count() or 1
    own_share = (time.process_time() - own) / max(sample_s, 1e-3)  # our own threads during the sample
    return max(0.0, (total - idle) / total * cores - own_share)


@dataclass(slots=True)
class ThreadPolicy:
    """Threads for the next generation, from how busy the cores are (see the module docstring)."""

    max_threads: int = max(1, min(os.cpu_count() or 1, 8))
    sample_s: float = 0.05
    free_below: float = 0.5
    """Fewer busy cores than this: the machine counts as quiet (all `max_threads`)."""
    fixed: int | None = None

    def threads(self) -> int:
        if self.fixed:
            return self.fixed
        busy = busy_cores(self.sample_s)
        if busy is None or busy < self.free_below:
            return self.max_threads
        return max(1, min(self.max_threads, round((os.cpu_count() or 1) - busy)))
