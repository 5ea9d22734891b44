"""`python -m bench threads [--rounds R] [--tokens N] [--busy K] --json`: the thread policy, measured.

The same generation (the headline analysis prompt, N tokens, greedy, no end of text) is timed with
llama.cpp at 1 thread, at every core, and under the adaptive policy (`agent/llm/_local/threads.py`),
alternating in R rounds so each setting sees the same background load. `--busy K` starts K
busy-loop processes for the run (stopped at the end), as a user's other work would. Reported: the
median seconds per token of each setting, their ratios, and the busy cores sampled before each round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PROMPT = ("Facts computed from the data:\n- P/E: JPM 11.22 vs BAC 7.89 (better: BAC).\n- JPM is ahead on 3 of the 4 measures compared.\n\n"
          "Question: Compare JPM and BAC.\n\nAnswer about JPM and BAC.")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench threads")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--busy", type=int, default=0, help="busy-loop processes to start beside the model for the run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from agent.llm.llamacpp import LlamaCppChat
    from agent.llm._local.prompt import chat_messages
    from agent.llm._local.threads import ThreadPolicy, busy_cores
    from core.types import Message

    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    try:
        chat = LlamaCppChat()
        loaded = chat._loaded
        prompt = chat._prompt_tokens(chat_messages([Message.user(PROMPT)]))
        cores = os.cpu_count() or 1
        settings = {"1 thread": ThreadPolicy(fixed=1), f"{cores} threads": ThreadPolicy(fixed=cores), "adaptive": ThreadPolicy()}
        times: dict[str, list[float]] = {k: [] for k in settings}
        chosen: list[int] = []
        load: list[float] = []
        for _ in range(args.rounds):
            for name, policy in settings.items():
                with loaded.lock:
                    sampled = busy_cores()
                    load.append(round(sampled or 0.0, 2))
                    n = policy.threads()
                    if name == "adaptive":
                        chosen.append(n)
                    loaded.use_threads(n)
                    loaded.runner.truncate(0)
                    start = time.perf_counter()
                    loaded.runner.prefill(prompt)
                    gen = loaded.runner.generate(args.tokens, stop_at_eog=False)
                    times[name].append((time.perf_counter() - start) / max(1, len(gen.tokens)))
    finally:
        for p in busy:
            p.kill()
            p.wait()
    medians = {k: statistics.median(v) for k, v in times.items()}
    base = medians[f"{cores} threads"]
    out = {
        "benchmark": "threads", "cores": cores, "busy_processes_started": args.busy, "rounds": args.rounds, "tokens": args.tokens,
        "seconds_per_token": {k: round(v, 4) for k, v in medians.items()},
        "ratio_to_all_cores": {k: round(v / base, 3) for k, v in medians.items()},
        "adaptive_threads_chosen": chosen, "busy_cores_sampled": load,
    }
    print(json.dumps(out) if args.json else json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
