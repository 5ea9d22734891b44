"""`python -m bench NAME [options] --json`: run one benchmark (a module `bench/NAME.py` with `main(argv)`)."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ["decoding", "routing", "bfcl", "fanout", "overhead", "llm_calls", "answers", "threads", "batch", "turn"]


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in BENCHMARKS:
        print(f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [options] --json", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    return module.main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
