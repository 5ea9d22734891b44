"""A request split into its parts, so that a small model picks one function per part.

A 135M model picks the right function for a one-part request fairly well, but it never asks for a
second call: "analyze the banking sector trends ... and provide a comparative analysis of JPM and
BAC" holds two analyses, and the model's "another call?" probability is the same for every request.
So the local backend asks it once per part. The split is plain syntax, not routing: sentences, and
clauses joined by "and" / "then" / ";" whose next word is an imperative verb. A part that asks
nothing of its own (no such verb, no question, no "I'd like"/"can you") is context and is joined
to the part after it ("I have $20,000 to invest. Recommend a portfolio." stays one part).
"""

from __future__ import annotations

import re

VERBS = (
    "analyze analyse assess build calculate check compare compute conduct create describe estimate evaluate "
    "explain find forecast get give identify list outline perform predict prepare project provide rank rate recommend "
    "review run show suggest summarize summarise tell"
).split()
_VERB = r"(?:%s)\b" % "|".join(VERBS)

_SENTENCE_END = re.compile(r"(?:(?<=[a-z0-9)%\]][.!?])|(?<=[A-Z]{2}[.!?]))\s+(?=[A-Z])|(?<=[?!])\s+")
_CLAUSE_JOIN = re.compile(
    r"(?:\s*[,;]?\s+and(?:\s+then)?|\s*[,;]\s*then|\s*;)\s+(?:also\s+)?(?=%s)" % _VERB, re.IGNORECASE
)
_FILLER = re.compile(r"^(?:(?:please|also|then|and|now|next|finally|first|lastly)\b[\s,]*)+", re.IGNORECASE)
_ASKS = re.compile(
    r"^%s|,\s*(?:please\s+)?%s|\?\s*$|\b(?:i'?d like|i would like|i want|i need|can you|could you|would you)\b"
    % (_VERB, _VERB),
    re.IGNORECASE,
)


def split_request(text: str) -> list[str]:
    """The parts of a request, in order; a request with one part gives `[text]` (stripped)."""
    text = " ".join(text.split())
    if not text:
        return []
    clauses: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        pending = ""
        for clause in _CLAUSE_JOIN.split(sentence):
            clause = (pending + clause).strip()
            pending = ""
            if len(clause.split()) < 2:  # "Analyze and forecast X": a bare verb shares its object
                pending = clause + " and "
            elif clause:
                clauses.append(clause)
        if pending.strip():
            clauses.append(pending.removesuffix(" and ").strip())
    parts: list[str] = []
    context = ""
    for clause in clauses:
        if asks(clause):
            parts.append((context + " " + clause).strip())
            context = ""
        else:
            context = (context + " " + clause).strip()
    if context:  # trailing context belongs to the last part (or is the whole request)
        if parts:
            parts[-1] = parts[-1] + " " + context
        else:
            parts.append(context)
    return parts


def asks(clause: str) -> bool:
    """Does this clause ask for something (an imperative verb, a question, "I'd like ...")?"""
    return bool(_ASKS.search(_FILLER.sub("", clause.strip())))
