"""Many tools: shortlist the candidates of a request before the prompt is built (as ToolRAG does).

With a large catalog (an MCP server's tools beside an application's own), putting every tool in the
prompt makes each routing decision slow and, past the context window, impossible. `Shortlist` is
built once per catalog: the TF-IDF index of every tool's name, description and author examples
(`evidence.ExampleIndex`, the same evidence the router uses). For one request it keeps

- the `size` tools most similar to the request, the whole request or any of its word windows (a
  request in two parts keeps the tools of both parts), and
- every tool whose grounded arguments the request names a value for (the grounder says the request
  names a company this tool takes): data the application gave, not a guess;

at most `limit` of them, in the order they were offered, so that the same shortlist gives the same
prompt prefix (and the KV cache keeps it). Nothing here knows a tool or a language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.types import ToolSpec

from .evidence import ExampleIndex, split_examples, words_of
from .router import windows

__all__ = ["SHORTLIST_FROM", "SHORTLIST_LIMIT", "SHORTLIST_SIZE", "Shortlist"]

SHORTLIST_FROM = 16
"""Offered more tools than this, the backend shortlists them; fewer go into the prompt whole."""
SHORTLIST_SIZE = 8
"""The most similar tools kept per request (the whole request or one of its windows)."""
SHORTLIST_LIMIT = 12
"""At most this many tools in the prompt, whatever the grounding says."""


@dataclass
class Shortlist:
    """The candidates of a request among a catalog of tools."""

    specs: list[ToolSpec]
    index: ExampleIndex
    size: int = SHORTLIST_SIZE
    limit: int = SHORTLIST_LIMIT

    @classmethod
    def build(cls, specs: Sequence[ToolSpec], size: int = SHORTLIST_SIZE, limit: int = SHORTLIST_LIMIT) -> Shortlist:
        documents: list[list[str]] = []
        for spec in specs:
            description, own = split_examples(spec.description)
            documents.append([spec.name.replace("_", " ").replace(".", " "), description, *own])
        index = ExampleIndex(documents, keep=words_of([d for docs in documents for d in docs[:2]]))
        return cls(list(specs), index, size, max(limit, size))

    def scores(self, query: str) -> np.ndarray:
        """Per tool, its best similarity to the whole request or one of its word windows."""
        rows = [self.index.similarities(query)]
        parts = windows(query)
        if len(parts) > 1:
            rows += [self.index.similarities(w) for w in parts]
        return np.max(np.vstack(rows), axis=0)

    def select(self, query: str, grounding: dict[str, dict[str, list[str]]] | None = None,
               max_values: int = 4) -> list[ToolSpec]:
        """The shortlisted tools for `query`, in the order offered. `grounding`: per tool, the values
        its grounded arguments may take; a tool for which the request names a few (at most
        `max_values`: not a whole catalogue) is kept, the most similar first, up to `limit`."""
        scores = self.scores(query)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        kept = set(order[: self.size])
        named = [i for i in order if i not in kept and _names_values((grounding or {}).get(self.specs[i].name), max_values)]
        kept.update(named[: self.limit - len(kept)])
        return [self.specs[i] for i in sorted(kept)]


def _names_values(grounding: dict[str, list[str]] | None, max_values: int) -> bool:
    return any(0 < len(values) <= max_values for values in (grounding or {}).values())
