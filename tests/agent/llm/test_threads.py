"""The thread policy of the local backend: all cores when they are free, fewer beside busy processes."""

import os
import subprocess
import sys
import time

from agent.llm._local import threads as T


def test_a_fixed_count_turns_the_policy_off():
    assert T.ThreadPolicy(fixed=3).threads() == 3


def test_threads_follow_the_busy_cores(monkeypatch):
    monkeypatch.setattr(T.os, "cpu_count", lambda: 4)
    policy = T.ThreadPolicy(max_threads=4)
    for busy, expect in [(0.0, 4), (0.4, 4), (1.0, 3), (2.6, 1), (3.9, 1), (None, 4)]:
        monkeypatch.setattr(T, "busy_cores", lambda sample_s, b=busy: b)
        assert policy.threads() == expect, busy


def test_busy_cores_sees_another_process_spinning():
    if not os.path.exists("/proc/stat"):
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        busy = T.busy_cores(0.3)
    finally:
        spinner.kill()
        spinner.wait()
    assert busy is not None and busy >= 0.5  # at least the spinner's share of a core
