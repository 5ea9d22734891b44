"""One redactor for secrets: cassettes, match keys, error messages and log lines all go through it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_NAME = re.compile(
    r"(?i)^(x-)?(api[-_]?key|apikey|(proxy-)?authorization|(access|auth|refresh|id|bearer)[-_]?token|token|"
    r"(client[-_]?)?secret|password|passwd|private[-_]?key)$"
)
"""Dict keys (headers, JSON bodies) whose string value is a secret whatever it looks like."""

_ENV_NAMES = ("OPENAI_API_KEY", "FMP_API_KEY")
_ENV_SUFFIX = re.compile(r"(?i)(_API_KEY|_APIKEY|_TOKEN|_SECRET)$")

_BUILTIN: list[tuple[re.Pattern[str], str]] = [
    # header lines in free text: "Authorization: Bearer ...", "x-api-key: ..."
    (re.compile(r"(?i)\b((?:proxy-)?authorization|x-api-key|api-key)(\s*:\s*)(?:(?:bearer|basic|token)\s+)?[^\s,;\"'&]+"),
     r"\1\2" + REDACTED),
    # query strings and form bodies: apikey=..., api_key=..., key=..., token=...
    (re.compile(r"(?i)\b(api[-_]?key|apikey|access[-_]?token|auth[-_]?token|token|key|secret|password)=([^&\s\"'#<>]+)"),
     r"\1=" + REDACTED),
    # JSON embedded in text (a tool result quoted in a prompt), also JSON-in-JSON: "apikey": "...", \"token\": \"...\"
    (re.compile(r'(?i)(?P<q>\\*")(?P<name>(?:x-)?(?:api[-_]?key|apikey)|access[-_]?token|auth[-_]?token|token|secret|password|'
                r'authorization)(?P=q)(?P<sep>\s*:\s*)(?P=q)(?:[^"\\]|\\(?!"))*(?P=q)'),
     r"\g<q>\g<name>\g<q>\g<sep>\g<q>" + REDACTED + r"\g<q>"),
    # common key shapes
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{6,}"), "Bearer " + REDACTED),
    (re.compile(r"\bsk-[A-Za-z0-9][A-Za-z0-9_\-]{6,}"), REDACTED),
]


class Redactor:
    """Replaces secrets in strings and JSON-ready structures; idempotent.

    Covers secret-named keys (headers, bodies), header lines, query-string keys, `sk-...` and
    `Bearer ...` shapes, the current values of OPENAI_API_KEY, FMP_API_KEY (and other
    `*_API_KEY` / `*_TOKEN` / `*_SECRET` variables), the literal `secrets` given (a client's own key),
    and `extra` regex patterns (whole match replaced).
    """

    def __init__(self, extra: Iterable[str | re.Pattern[str]] = (), *, secrets: Iterable[str | None] = (),
                 environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        names = set(_ENV_NAMES) | {k for k in env if _ENV_SUFFIX.search(k)}
        found = {env[n] for n in names if len(env.get(n) or "") >= 6} | {s for s in secrets if s and len(s) >= 4}
        values = sorted(found, key=len, reverse=True)
        self._literals = values
        self._patterns = [(re.compile(p) if isinstance(p, str) else p, REDACTED) for p in extra]

    def text(self, value: str) -> str:
        for literal in self._literals:
            value = value.replace(literal, REDACTED)
        for pattern, replacement in _BUILTIN:
            value = pattern.sub(replacement, value)
        for pattern, replacement in self._patterns:
            value = pattern.sub(replacement, value)
        return value

    def __call__(self, value: Any) -> Any:
        """A redacted copy of a JSON-ready value (dicts, lists, strings; other scalars unchanged)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {
                k: (REDACTED if isinstance(v, str) and v and isinstance(k, str) and _SECRET_NAME.match(k) else self(v))
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [self(v) for v in value]
        return value
