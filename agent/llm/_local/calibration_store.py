"""The model's earned weights, kept across runs: a model is calibrated on a tool set once, not at
every `finagent ask`.

A JSON file maps a key to a `Calibration`. The key is a digest of everything the measurement read:
the model file (resolved path, size, modification time), the tools (names, descriptions with their
examples, parameters), the system messages, the "answer in text" examples, the policy's base
weight and `VERSION` (raised whenever the measurement changes). Anything else gets a new entry.

The file is `FINAGENT_CALIBRATIONS` (`off`: keep nothing), else `~/.finagent/calibrations.json`.
A file that cannot be read or written costs a fresh calibration, never a failed turn.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.types import ToolSpec

from .calibration import Calibration
from .prompt_store import file_identity

__all__ = ["CalibrationStore", "ENV", "VERSION", "calibration_key", "default_store"]

log = logging.getLogger(__name__)

ENV = "FINAGENT_CALIBRATIONS"
VERSION = 7
"""2: the evidence the model is measured against holds the names a request says (`evidence.names_said`);
3: and the words that ask for a function as its name does (`evidence.asking_words`); 4: and the
words of its choices, in parts too; 5: in a whole request only (`router._offered`); 6: the
words of its enums only (a description's quoted values may be examples); 7: numbers beside a number
argument's name (`router.counts_named`)."""
MAX_ENTRIES = 256
"""The oldest entries go first beyond this."""


def calibration_key(model_path: str, tools: Sequence[ToolSpec], system: Sequence[str], text_examples: Sequence[str],
                    base: float) -> str:
    """The digest of what a calibration measured (see the module docstring)."""
    payload = {
        "version": VERSION, "model": file_identity(model_path), "base": round(base, 6), "system": list(system),
        "text": list(text_examples),
        "tools": [[t.name, t.description, t.parameters] for t in tools],
    }
    data = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


class CalibrationStore:
    """Calibrations by key in one JSON file (written atomically)."""

    def __init__(self, path: str | Path):
        self.path = Path(path).expanduser()

    def get(self, key: str) -> Calibration | None:
        entry = self._read().get(key)
        if not isinstance(entry, dict):
            return None
        try:
            return Calibration(float(entry["weight"]), int(entry["examples"]), float(entry["model_accuracy"]),
                               float(entry["evidence_accuracy"]))
        except (KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, calibration: Calibration) -> None:
        entries = self._read()
        entries.pop(key, None)
        entries[key] = {"weight": calibration.weight, "examples": calibration.examples,
                        "model_accuracy": calibration.model_accuracy, "evidence_accuracy": calibration.evidence_accuracy}
        entries = dict(list(entries.items())[-MAX_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".calibrations-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(entries, f, indent=1)
                os.replace(tmp, self.path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as e:
            log.warning("could not keep the calibration in %s: %s", self.path, e.strerror or e)

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as e:
            log.warning("ignoring the calibrations in %s: %s", self.path, e)
            return {}
        return data if isinstance(data, dict) else {}


def default_store() -> CalibrationStore | None:
    """The store named by `FINAGENT_CALIBRATIONS` (None when `off`), else ~/.finagent/calibrations.json."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() == "off":
        return None
    return CalibrationStore(value or Path.home() / ".finagent" / "calibrations.json")
