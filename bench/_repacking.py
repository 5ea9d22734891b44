"""What turning off llama.cpp's weight repacking costs: plain greedy decoding, with and without.

The local backend always loads with `use_extra_bufts = False` (agent/llm/_local/install.py: the AMX
repacked path segfaults on Intel Sapphire Rapids and newer). Each setting runs in its own process, so
a crash of the repacked load on such a machine is reported ("crashed: SIGSEGV") instead of ending
the benchmark. Used by `python -m bench decoding`.
"""

from __future__ import annotations

import json
import signal
import statistics
import subprocess
import sys
import time

PROMPT = "Write a short paragraph about the history of stock markets."


def measure(model: str | None, tokens: int, rounds: int, threads: int) -> dict[str, object]:
    """Median tokens/s with repacking off (what we ship) and on (llama.cpp's default), same run."""
    out: dict[str, object] = {}
    for setting in ("off", "on"):
        cmd = [sys.executable, "-m", "bench._repacking", setting, str(tokens), str(rounds), str(threads), model or ""]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if proc.returncode < 0:
            out[f"{setting}_status"] = f"crashed: {signal.Signals(-proc.returncode).name}"
        elif proc.returncode != 0:
            out[f"{setting}_status"] = f"failed: {(proc.stderr.strip().splitlines() or ['?'])[-1][:200]}"
        else:
            out[f"{setting}_status"] = "ok"
            out[f"{setting}_tps"] = json.loads(proc.stdout.strip().splitlines()[-1])["tps"]
    if isinstance(out.get("off_tps"), float) and isinstance(out.get("on_tps"), float) and out["on_tps"]:
        out["ratio_off_vs_on"] = round(out["off_tps"] / out["on_tps"], 3)  # type: ignore[operator]
    return out


def _child(setting: str, tokens: int, rounds: int, threads: int, model: str) -> None:
    import contextlib

    import llama_cpp

    from agent.llm._local.install import no_weight_repacking
    from agent.llm.llamacpp import default_model_path

    path = model or default_model_path()
    guard = no_weight_repacking(llama_cpp) if setting == "off" else contextlib.nullcontext()
    with guard:
        llama = llama_cpp.Llama(model_path=path, n_ctx=1024, n_threads=threads, n_threads_batch=threads, verbose=False)
    prompt = llama.tokenize(PROMPT.encode(), add_bos=True)
    runs = []
    for i in range(rounds + 1):
        start, count = time.perf_counter(), 0
        for _ in llama.generate(prompt, temp=0.0, reset=True):
            count += 1
            if count >= tokens:
                break
        if i:  # the first run warms caches up
            runs.append(count / (time.perf_counter() - start))
    print(json.dumps({"tps": round(statistics.median(runs), 1)}))


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
