"""Numbers written in words, and scaled ones, as the digits they state: a declared normalization.

"for two nights" states 2, "the next five years" 5, "a population of 213 million" 213000000,
"revenues of $1.2M" 1200000. The request's numbers are read from its text with these written as
digits (`digits`), so every rule about written numbers (the numbers a number argument may take,
one value per argument) holds for them too. String values still come from the text as the user
wrote it (`arguments._numeric` reads numbers, `arguments._plain` strings).

What is read: a number followed by hundred, thousand, million, billion or trillion; an amount
after a currency sign followed by k, M or bn ("$1M"); and, in a sentence (or line) that writes no
number in digits, the words for two to twenty, the tens and tens with units ("twenty five"; not
"one" alone, as often a pronoun: "the one with backstage access"), in lower case or opening the
sentence (a capitalized word inside one is a name's: "Ocean's Eleven"). Beside digits a number word mostly counts the values listed after it ("the
GCD of two numbers: 40 and 50", "two charges of 5C and 7C"). The words are English: the table is
the normalization's declaration, one per language a deployment needs.

On BFCL's answers (simple_python and multiple) these readings add 27 numbers to the requests',
23 of which the answer has: "two nights", "the next five years", "$1M", "213 million". Read beside
digits too, the words would add 22 more, 15 of them counts of listed values no answer has.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .choices import opens_sentence

__all__ = ["WORDS", "digits"]

WORDS: dict[str, int] = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES: dict[str, int] = {"hundred": 10**2, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
SUFFIXES: dict[str, int] = {"k": 10**3, "K": 10**3, "M": 10**6, "bn": 10**9}
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNITS = ("two", "three", "four", "five", "six", "seven", "eight", "nine")

_WORD = re.compile(r"(?<![\w'-])(?:(" + "|".join(_TENS) + r")[ \t-](one|" + "|".join(_UNITS) + r")|("
                   + "|".join(WORDS) + r"))(?![\w'-])", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])(?=\s)|(?<=\n)")
_SCALED = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)[ \t]+(" + "|".join(SCALES) + r")\b", re.IGNORECASE)
_SUFFIXED = re.compile(r"(?<=[$€£¥])(\d+(?:\.\d+)?)(" + "|".join(SUFFIXES) + r")\b")


def digits(text: str) -> str:
    """`text` with its spelled and scaled numbers written as digits (thousands separators already
    removed): "two nights" -> "2 nights", "twenty five" -> "25", "213 million" -> "213000000",
    "two million" -> "2000000", "$1.2M" -> "$1200000"."""
    text = "".join(s if re.search(r"\d", s) else _words_as_digits(s) for s in _SENTENCE.split(text))
    text = _SCALED.sub(lambda m: _times(m.group(1), SCALES[m.group(2).lower()]), text)
    return _SUFFIXED.sub(lambda m: _times(m.group(1), SUFFIXES[m.group(2)]), text)


def _words_as_digits(sentence: str) -> str:
    return _WORD.sub(lambda m: _word_value(sentence, m), sentence)


def _word_value(sentence: str, match: re.Match[str]) -> str:
    """The digits of a number word (or of tens and units: "twenty five"), when it reads as one."""
    if not _as_number(sentence, match):
        return match.group()
    if match.group(3):
        return str(WORDS[match.group(3).lower()])
    return str(WORDS[match.group(1).lower()] + (1 if match.group(2).lower() == "one" else WORDS[match.group(2).lower()]))


def _times(number: str, scale: int) -> str:
    value = Decimal(number) * scale  # exact: "2.01 million" is 2010000, not 2009999.9999999998
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _as_number(text: str, match: re.Match[str]) -> bool:
    """A number word in lower case, or capitalized where a sentence opens (not a name's word)."""
    word = match.group()
    if word.islower():
        return True
    return word[:1].isupper() and word[1:].islower() and opens_sentence(text, match.start())
