"""Batch runs: many questions or direct calls from a JSONL file, resumable, locally or on a Ray cluster.

    from agent.batch import BatchConfig, RayOptions, run_batch

    summary = run_batch("in.jsonl", "out.jsonl", BatchConfig(backend="openai", concurrency=4))
    summary = run_batch("in.jsonl", "out.jsonl", BatchConfig(findings_only=True), ray=RayOptions("auto"))

`finagent batch INPUT.jsonl --out OUT.jsonl` is the same from the command line.
"""

from agent.batch._items import BadLine, BatchItem, ParsedInput, parse_lines, read_input
from agent.batch._local import run_local
from agent.batch._ray import LOCAL_MODEL_CPUS, RayOptions, run_ray
from agent.batch._results import OutputFileError, ResultLog
from agent.batch._run import BatchSummary, Progress, run_batch
from agent.batch._worker import BatchConfig, FixedRoute, ItemRunner

__all__ = [
    "BadLine", "BatchConfig", "BatchItem", "BatchSummary", "FixedRoute", "ItemRunner", "LOCAL_MODEL_CPUS", "OutputFileError",
    "ParsedInput", "Progress", "RayOptions", "ResultLog", "parse_lines", "read_input", "run_batch", "run_local", "run_ray",
]
