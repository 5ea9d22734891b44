"""The 11 GICS sectors, and a normaliser from everyday words (and FMP's sector names) to them."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, TypeVar, get_args

Sector = Literal[
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
]
SECTORS: tuple[Sector, ...] = get_args(Sector)
V = TypeVar("V")

# FMP's (Morningstar-style) sector names -> GICS.
FMP_SECTORS: dict[str, Sector] = {
    "technology": "Information Technology",
    "healthcare": "Health Care",
    "financial services": "Financials",
    "financial": "Financials",
    "consumer cyclical": "Consumer Discretionary",
    "consumer defensive": "Consumer Staples",
    "basic materials": "Materials",
    "communication services": "Communication Services",
    "energy": "Energy",
    "industrials": "Industrials",
    "real estate": "Real Estate",
    "utilities": "Utilities",
}

# Everyday words -> GICS. Judgement calls:
# - "renewable"/"clean energy"/"solar"/"wind" -> Utilities: most large listed renewable producers
#   (NextEra, Brookfield Renewable, AES) are GICS Utilities (renewable electricity sub-industry);
#   equipment makers such as First Solar are Information Technology (semiconductors) and Enphase too,
#   so a renewable-energy question may also need a look at Information Technology.
# - "electric vehicles"/"EV"/"automotive" -> Consumer Discretionary (Tesla, GM, Ford: automobiles).
# - "AI" -> Information Technology (chips, software), though Alphabet and Meta are Communication
#   Services; "internet"/"social media" go to Communication Services.
# - "payments"/"fintech": Visa and Mastercard moved to Financials in the 2023 GICS change.
ALIASES: dict[str, Sector] = {
    # Financials
    "bank": "Financials", "banks": "Financials", "banking": "Financials", "finance": "Financials",
    "financial": "Financials", "insurance": "Financials", "insurers": "Financials",
    "asset management": "Financials", "payments": "Financials", "fintech": "Financials",
    "investment banking": "Financials", "brokers": "Financials", "insurer": "Financials",
    # Information Technology
    "tech": "Information Technology", "technology": "Information Technology", "it": "Information Technology",
    "ai": "Information Technology", "artificial intelligence": "Information Technology",
    "semiconductor": "Information Technology", "semiconductors": "Information Technology",
    "chips": "Information Technology", "chip": "Information Technology", "software": "Information Technology",
    "chipmakers": "Information Technology",
    "hardware": "Information Technology", "cloud": "Information Technology", "cybersecurity": "Information Technology",
    # Health Care
    "healthcare": "Health Care", "health": "Health Care", "pharma": "Health Care",
    "pharmaceutical": "Health Care", "pharmaceuticals": "Health Care", "biotech": "Health Care",
    "biotechnology": "Health Care", "medical devices": "Health Care", "medtech": "Health Care",
    # Utilities
    "renewable energy": "Utilities", "renewables": "Utilities", "renewable": "Utilities",
    "clean energy": "Utilities", "green energy": "Utilities", "solar": "Utilities", "wind": "Utilities",
    "utility": "Utilities", "power": "Utilities", "electric utilities": "Utilities",
    # Energy
    "oil": "Energy", "gas": "Energy", "oil and gas": "Energy", "oil & gas": "Energy",
    "petroleum": "Energy", "fossil fuels": "Energy",
    # Consumer Discretionary
    "electric vehicles": "Consumer Discretionary", "electric vehicle": "Consumer Discretionary",
    "ev": "Consumer Discretionary", "evs": "Consumer Discretionary", "automotive": "Consumer Discretionary",
    "auto": "Consumer Discretionary", "autos": "Consumer Discretionary", "cars": "Consumer Discretionary",
    "retail": "Consumer Discretionary", "retailers": "Consumer Discretionary", "e-commerce": "Consumer Discretionary",
    "automakers": "Consumer Discretionary", "carmakers": "Consumer Discretionary", "homebuilders": "Consumer Discretionary",
    "ecommerce": "Consumer Discretionary", "restaurants": "Consumer Discretionary",
    "consumer cyclical": "Consumer Discretionary", "luxury": "Consumer Discretionary",
    # Consumer Staples
    "food": "Consumer Staples", "beverages": "Consumer Staples", "consumer goods": "Consumer Staples",
    "tobacco": "Consumer Staples", "groceries": "Consumer Staples", "household products": "Consumer Staples",
    # Communication Services
    "telecom": "Communication Services", "telecoms": "Communication Services",
    "telecommunications": "Communication Services", "media": "Communication Services",
    "entertainment": "Communication Services", "social media": "Communication Services",
    "internet": "Communication Services", "streaming": "Communication Services",
    # Real Estate
    "reit": "Real Estate", "reits": "Real Estate", "property": "Real Estate", "real-estate": "Real Estate",
    # Industrials
    "industrial": "Industrials", "aerospace": "Industrials", "defense": "Industrials",
    "defence": "Industrials", "airlines": "Industrials", "airline": "Industrials", "railroads": "Industrials",
    "transportation": "Industrials", "machinery": "Industrials",
    # Materials
    "material": "Materials", "chemicals": "Materials", "mining": "Materials", "miners": "Materials", "metals": "Materials",
    "steel": "Materials",
}


SECTOR_NOUNS = ("sector", "industry", "stocks", "companies", "firms")
"""Words that make the word before them a sector ("the financial sector", "tech stocks")."""
NOT_SECTORS_IN_TEXT = frozenset({"it", "financial", "finance", "health", "power", "material", "property", "food", "wind", "gas", "auto"})
"""Aliases that, written in free text, are usually something else ("where does it stand", "financial
health", "material risk"): `find_sectors` skips them; `normalize_sector` still accepts them."""


def phrase_patterns(phrases: dict[str, V]) -> tuple[tuple[re.Pattern[str], V, int], ...]:
    """(whole-word pattern, value, phrase length) per lower-case phrase, longest first."""
    return tuple((re.compile(rf"(?<![\w-]){re.escape(p)}(?![\w-])"), phrases[p], len(p))
                 for p in sorted(phrases, key=len, reverse=True))


@lru_cache(maxsize=1)
def sector_phrases() -> tuple[tuple[re.Pattern[str], Sector, int], ...]:
    """The phrases `find_sectors` looks for, longest first, each compiled once."""
    every = {s.lower(): s for s in SECTORS} | FMP_SECTORS | ALIASES
    phrases = {k: v for k, v in every.items() if k not in NOT_SECTORS_IN_TEXT}
    # an ambiguous word followed by a sector noun is a sector: "the financial sector", "health stocks"
    phrases |= {f"{k} {noun}": every[k] for k in NOT_SECTORS_IN_TEXT if k in every for noun in SECTOR_NOUNS}
    return phrase_patterns(phrases)


def find_sectors(text: str) -> list[Sector]:
    """The GICS sectors a free-text request names, in order of mention: sector names, FMP's names and
    everyday words ("banking", "chips", "REITs"), longest phrase first; no repeats."""
    lowered = text.lower()
    found: list[tuple[int, Sector]] = []
    taken: list[tuple[int, int]] = []
    for pattern, sector, _ in sector_phrases():
        for m in pattern.finditer(lowered):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append((m.start(), m.end()))
                found.append((m.start(), sector))
    return list(dict.fromkeys(s for _, s in sorted(found)))


def _key(text: str) -> str:
    t = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"\s+(" + "|".join(SECTOR_NOUNS) + ")$", "", t)


def normalize_sector(text: str) -> Sector:
    """Map a sector name, FMP sector name or everyday word ("banking", "tech", "REITs") to GICS."""
    key = _key(text)
    for sector in SECTORS:
        if sector.lower() == key:
            return sector
    if key in FMP_SECTORS:
        return FMP_SECTORS[key]
    if key in ALIASES:
        return ALIASES[key]
    raise ValueError(f"unknown sector {text!r}; the sectors are: {', '.join(SECTORS)}")
