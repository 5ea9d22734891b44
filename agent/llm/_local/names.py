"""Names a request writes: runs of capitalised words where no sentence starts.

A span argument's value is not cut out of a name ("Play Here Comes the Sun" has no span "Comes
the Sun": `spans.SpanRules.whole_names`), and a follow-up that writes a name no argument took
changes the earlier call to it (`follow_ups.changed_call`). Scripts without case write no names
here; words in capitals (codes, tickers) are no part of one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["in_name_gap", "joined_names", "name_continues", "names_written"]

_LEADING = "\"'`([{<«¿¡“‘"
_TRAILING = "\"'`.,;:!?)]}>»”’"
_SENTENCE_END = re.compile(r"[.!?:][\"'`)\]}>»”’]*$")


def _bare(word: str) -> str:
    return word.lstrip(_LEADING).rstrip(_TRAILING)


def _titled(word: str) -> bool:
    core = _bare(word)
    return core[:1].isupper() and any(c.islower() for c in core)


def _first(words: Sequence[str], i: int) -> bool:
    """Whether word i opens the line or a sentence."""
    return i == 0 or bool(_SENTENCE_END.search(words[i - 1]))


def name_continues(words: Sequence[str]) -> list[bool]:
    """Per word of a line: whether it continues a name begun by the word before, both capitalised
    (not all capitals) with no punctuation between them, the one before not a sentence's first word."""
    return [i > 0 and _titled(w) and _titled(words[i - 1]) and not _first(words, i - 1)
            and _bare(words[i - 1]) == words[i - 1].lstrip(_LEADING) for i, w in enumerate(words)]


def in_name_gap(words: Sequence[str], between: int = 2) -> list[bool]:
    """Per word of a line: whether it is one of up to `between` lower-case words between two names
    with no punctuation ("the" in "Play Here Comes the Sun", "and" in "Compare Microsoft and
    Apple"). On BFCL's answers and our domains' cases, 1 stated value of 934 starts at such a word."""
    out = [False] * len(words)
    for i, w in enumerate(words):
        if not (w[:1].islower() and i > 0 and _titled(words[i - 1]) and not _first(words, i - 1)
                and _bare(words[i - 1]) == words[i - 1].lstrip(_LEADING)):
            continue
        for j in range(i, min(i + between, len(words))):
            if not words[j][:1].islower() or _bare(words[j]) != words[j]:
                break
            if j + 1 < len(words) and _titled(words[j + 1]):
                out[i:j + 1] = [True] * (j + 1 - i)
                break
    return out


def names_written(text: str) -> list[str]:
    """The names `text` writes, in order: each run of capitalised words (first letter upper case)
    that starts where no sentence does, without its punctuation ("and now some Queen" -> Queen;
    "same for Here Comes the Sun" -> Here Comes, Sun)."""
    out: list[str] = []
    for line in text.splitlines():
        words = line.split()
        inner = name_continues(words)
        i = 0
        while i < len(words):
            if _bare(words[i])[:1].isupper() and not _first(words, i) and not inner[i]:
                j = i + 1
                while j < len(words) and inner[j]:
                    j += 1
                out.append(" ".join(_bare(w) if k in (i, j - 1) else w for k, w in enumerate(words[i:j], start=i)))
                i = j
            else:
                i += 1
    return list(dict.fromkeys(n for n in out if n))


def joined_names(text: str, between: int = 2) -> list[str]:
    """Names of `text` joined across up to `between` lower-case words with no punctuation
    ("Here Comes" ... "Sun" -> "Here Comes the Sun", "Rio de Janeiro"), besides `names_written`."""
    names = names_written(text)
    out = list(names)
    for a, b in zip(names, names[1:]):
        gap = rf"((?: [^\W\d_A-Z][^\s.,;:!?]*){{1,{between}}}) "
        m = re.search(re.escape(a) + gap + re.escape(b), text)
        if m and all(w[:1].islower() for w in m.group(1).split()):
            out.append(m.group())
    return out
