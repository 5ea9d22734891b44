"""Many tools: shortlist the candidates of a request before the prompt is built (as ToolRAG does).

With a large catalog (an MCP server's tools beside an application's own), putting every tool in the
prompt makes each routing decision slow and, past the context window, impossible. `Shortlist` is
built once per catalog: the TF-IDF index of every tool's name, description and author examples
(`evidence.ExampleIndex`, the same evidence the router uses). For one request it keeps

- the `size` tools most similar to the request, the whole request or any of its word windows (a
  request in two parts keeps the tools of both parts), and
- every tool whose grounded arguments the request names a value for (the grounder says the request
  names a company this tool takes): data the application gave, not a guess;
- every tool the conversation has called (a follow-up continues it);

at most `limit` of them. A catalog is rarely used evenly: an application's own tools take most
requests, a large MCP catalog beside them a few. So the tools the backend has routed to (`record`)
and the tools the grounder named values for (the application's own) form a head that opens every
shortlist, in the order first seen (a new one goes at the end: the prompt prefix before it stays
cached); only the most similar other tool, the next `TAIL - 1` when they come close to it, and the
called ones follow, in the order offered.
A request whose candidates are all in the head gets the same prompt as the one before it, and
costs what it would with those tools alone. Before any use, the `size` most similar tools are
shortlisted, in the order offered. Nothing here knows a tool or a language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.types import LLMRequest, ToolSpec

from .evidence import ExampleIndex, split_examples, words_of
from .lru import cached, remember
from .router import earlier_calls, last_request, windows

__all__ = ["SHORTLIST_FROM", "SHORTLIST_LIMIT", "SHORTLIST_SIZE", "Shortlist", "Shortlists", "TAIL"]

SHORTLIST_FROM = 16
"""Offered more tools than this, the backend shortlists them; fewer go into the prompt whole."""
SHORTLIST_SIZE = 8
"""The most similar tools kept per request (the whole request or one of its windows)."""
SHORTLIST_LIMIT = 12
"""At most this many tools in the prompt, whatever the grounding says."""
TAIL = 3
"""Once the head holds tools: at most this many of the most similar tools join it (a request about
another part of the catalog finds its tool among them)."""
TAIL_RATIO = 0.5
"""The most similar tool always joins; the next ones when their similarity is at least this share of its."""


@dataclass
class Shortlist:
    """The candidates of a request among a catalog of tools."""

    specs: list[ToolSpec]
    index: ExampleIndex
    size: int = SHORTLIST_SIZE
    limit: int = SHORTLIST_LIMIT
    head: list[int] = field(default_factory=list)
    """The tools routed to or named so far, in the order first seen (at most `limit`)."""

    def head_count(self, picked: Sequence[ToolSpec]) -> int:
        """How many of the first tools of a shortlist `select` returned are the head's."""
        head = {self.specs[i].name for i in self.head}
        return next((k for k, spec in enumerate(picked) if spec.name not in head), len(picked))

    def record(self, names: Sequence[str]) -> None:
        """The backend routed to these tools: they join the head."""
        for name in names:
            i = next((k for k, spec in enumerate(self.specs) if spec.name == name), None)
            if i is not None and i not in self.head and len(self.head) < self.limit:
                self.head.append(i)

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
               max_values: int = 4, called: Sequence[str] = ()) -> list[ToolSpec]:
        """The shortlisted tools for `query`: the head, then the others in the order offered.
        `grounding`: per tool, the values its grounded arguments may take; a tool for which the
        request names a few (at most `max_values`: not a whole catalogue) is kept and joins the head
        (the application's grounder knows it: one of its own tools). `called`: the functions the
        conversation has called (a follow-up, "and in Bergen?", names none of its function's words)."""
        scores = self.scores(query)
        order = [int(i) for i in np.argsort(-scores, kind="stable")]
        named = [i for i in order if _names_values((grounding or {}).get(self.specs[i].name), max_values)]
        if self.head:  # the most similar tool, and the next ones that come close to it
            best = float(scores[order[0]])
            kept = {order[0]} | {i for i in order[1:TAIL] if scores[i] >= TAIL_RATIO * best}
        else:
            kept = set(order[: self.size])
        kept.update(i for i, spec in enumerate(self.specs) if spec.name in set(called))
        self.record([self.specs[i].name for i in named])
        kept.update(self.head)
        kept.update(named[: max(0, self.limit - len(kept))])
        return [self.specs[i] for i in self.head if i in kept] + [self.specs[i] for i in sorted(kept - set(self.head))]


class Shortlists:
    """A backend's shortlists, one per catalog offered (the most recent kept), and how many tools of
    each shortlist given out open it from the head (the prompt lists the rest after its instructions)."""

    def __init__(self) -> None:
        self._catalogs: dict[tuple, Shortlist] = {}
        self._heads: dict[tuple, int] = {}

    @staticmethod
    def _key(offered: Sequence[ToolSpec]) -> tuple:
        return tuple((t.name, t.description) for t in offered)

    def select(self, request: LLMRequest, offered: list[ToolSpec], max_values: int) -> list[ToolSpec]:
        """Offered more than SHORTLIST_FROM tools, the request's candidates; else all of them."""
        if len(offered) <= SHORTLIST_FROM:
            return offered
        shortlist = cached(self._catalogs, self._key(offered), lambda: Shortlist.build(offered))
        called = [c.name for c in earlier_calls(request.messages)]
        picked = shortlist.select(last_request(request.messages)[0], request.grounding, max_values, called)
        remember(self._heads, tuple(t.name for t in picked), shortlist.head_count(picked))
        return picked

    def record(self, offered: list[ToolSpec], names: list[str]) -> None:
        """The functions routed to join the head of their catalog's shortlist."""
        shortlist = self._catalogs.get(self._key(offered)) if len(offered) > SHORTLIST_FROM else None
        if shortlist is not None:
            shortlist.record(names)

    def head_count(self, tools: Sequence[ToolSpec]) -> int:
        """How many of `tools` (a shortlist given out, or a whole list) form the stable head."""
        return self._heads.get(tuple(t.name for t in tools), len(tools))


def _names_values(grounding: dict[str, list[str]] | None, max_values: int) -> bool:
    return any(0 < len(values) <= max_values for values in (grounding or {}).values())
