"""Names a request writes: runs of capitalised words where no sentence starts.

A span argument's value is not cut out of a name ("Play Here Comes the Sun" has no span "Comes
the Sun": `spans.SpanRules.whole_names`), and a follow-up that writes a name no argument took
changes the earlier call to it (`follow_ups.changed_call`). Scripts without case write no names
here; words in capitals (codes, tickers) are no part of one. A word's core without the punctuation
around it (`bare`) is read here and by `spans`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

__all__ = ["bare", "in_name_gap", "inside_names", "joined_names", "name_continues", "names_written"]

_LEADING = "\"'`([{<«¿¡“‘"
_TRAILING = "\"'`.,;:!?)]}>»”’"
_SENTENCE_END = re.compile(r"[.!?:][\"'`)\]}>»”’]*$")


def bare(word: str) -> str:
    """`word` without the punctuation around it ("Porto?" -> "Porto", "(AAPL)" -> "AAPL")."""
    return word.lstrip(_LEADING).rstrip(_TRAILING)


def _titled(word: str) -> bool:
    core = bare(word)
    return core[:1].isupper() and any(c.islower() for c in core)


def _first(words: Sequence[str], i: int) -> bool:
    """Whether word i opens the line or a sentence."""
    return i == 0 or bool(_SENTENCE_END.search(words[i - 1]))


def _joined(words: Sequence[str], i: int) -> bool:
    """Whether words i-1 and i stand side by side, no punctuation between them."""
    return bare(words[i - 1]) == words[i - 1].lstrip(_LEADING) and words[i].lstrip(_LEADING) == words[i]


def name_continues(words: Sequence[str]) -> list[bool]:
    """Per word of a line: whether it continues a name begun by the word before, both capitalised
    (not all capitals) with no punctuation between them, the one before not a sentence's first word."""
    return [i > 0 and _titled(w) and _titled(words[i - 1]) and not _first(words, i - 1) and _joined(words, i)
            for i, w in enumerate(words)]


def inside_names(words: Sequence[str], startable: Sequence[bool], longest: int) -> list[bool]:
    """`name_continues`, for spans of at most `longest` words of which a word may start one where
    `startable`: a word inside a name where a span can start at the name's first word and reach
    it. A name whose first word starts no span ("Get Lucky" beside a `get_song` tool) or longer
    than `longest` words keeps its inner starts."""
    out = name_continues(words)
    start = 0
    for i, inside in enumerate(out):
        if not inside:
            start = i
        elif not startable[start] or i - start >= longest:
            out[i] = False
    return out


def in_name_gap(words: Sequence[str], joining: Collection[str], between: int = 2) -> list[bool]:
    """Per word of a line: whether it is one of up to `between` joining words (`joining`, lower
    case: the model's most frequent words) between two names with no punctuation ("the" in "Play
    Here Comes the Sun", "and" in "Compare Microsoft and Apple"; not "tomorrow" in "lunch with
    Alice tomorrow at Luigi's"). On BFCL's answers and our domains' cases, 1 stated value of 934
    starts at a lower-case word there."""
    out = [False] * len(words)
    for i in range(1, len(words)):
        if not (_titled(words[i - 1]) and not _first(words, i - 1)):
            continue
        for j in range(i, min(i + between, len(words))):
            if not (_joined(words, j) and words[j] in joining):
                break
            if j + 1 < len(words) and _titled(words[j + 1]) and _joined(words, j + 1):
                out[i:j + 1] = [True] * (j + 1 - i)
                break
    return out


def _runs(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of words that begin with a capital (two letters or more), side by side."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if len(bare(words[i])) > 1 and bare(words[i])[:1].isupper():
            j = i + 1
            while j < len(words) and _titled(words[j]) and _titled(words[j - 1]) and _joined(words, j):
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def names_written(text: str) -> list[str]:
    """The names `text` writes, in order: each run of capitalised words side by side ("and now
    some Queen" -> Queen; "same for Here Comes the Sun" -> Here Comes, Sun). A run that opens a
    sentence is a name without its first word, and with it when that leaves one ("Play Take Five"
    -> Take Five; "Bohemian Rhapsody please" -> Rhapsody, Bohemian Rhapsody); a word in capitals
    ("MSFT") is a name of its own."""
    out: list[str] = []
    for line in text.splitlines():
        words = line.split()
        for i, j in _runs(words):
            starts = ([i + 1] + ([i] if j - i > 1 else [])) if _first(words, i) else [i]
            for k in starts:
                if k < j:
                    run = [bare(w) for w in words[k:j]]
                    out.append(" ".join(run))
    return list(dict.fromkeys(n for n in out if n))


def joined_names(text: str, between: int = 2) -> list[str]:
    """Names of `text` joined across 1..`between` lower-case words with no punctuation ("Here
    Comes" ... "Sun" -> "Here Comes the Sun", "Rio de Janeiro"), besides `names_written`; both
    sides' edge words capitalised, not all capitals ("could I see Dune" joins nothing)."""
    names = names_written(text)
    out = list(names)
    for a, b in zip(names, names[1:]):
        if not (_titled(a.split()[-1]) and _titled(b.split()[0])):
            continue
        gap = rf"((?: [^\W\d_A-Z][^\s.,;:!?]*){{1,{max(between, 1)}}}) "
        m = re.search(r"(?<!\w)" + re.escape(a) + gap + re.escape(b) + r"(?!\w)", text)
        if m and all(w[:1].islower() for w in m.group(1).split()):
            out.append(m.group())
    return out
