"""GICS industries as groups beside the sectors, and the S&P 500 list they come from.

`data/sp500.csv` (written by `scripts/build_snapshot.py` from the constituents list) holds every
S&P 500 member: ticker, name, GICS sector and sub-industry, whether or not a data provider covers it.
An industry group is a GICS sub-industry ("Diversified Banks") or one of a few named unions of them
("Banks" = diversified and regional banks); `find_groups` reads the sectors and industries a request
names, `normalize_group` turns one argument into a sector or an industry label.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .sectors import SECTOR_NOUNS, SECTORS, Sector, _key, normalize_sector, phrase_patterns, sector_phrases

SP500_PATH = Path(__file__).resolve().parent / "data" / "sp500.csv"

INDUSTRY_GROUPS: dict[str, tuple[str, ...]] = {
    # label -> the GICS sub-industries it takes (a sub-industry's own name is a group of one)
    "Banks": ("Diversified Banks", "Regional Banks"),
    "Semiconductors": ("Semiconductors", "Semiconductor Materials & Equipment"),
    "Oil & Gas": ("Integrated Oil & Gas", "Oil & Gas Exploration & Production", "Oil & Gas Refining & Marketing",
                  "Oil & Gas Equipment & Services", "Oil & Gas Storage & Transportation"),
    "Software": ("Application Software", "Systems Software"),
    "Insurance": ("Life & Health Insurance", "Multi-line Insurance", "Property & Casualty Insurance", "Reinsurance",
                  "Insurance Brokers"),
    "Medical Devices": ("Health Care Equipment", "Health Care Supplies"),
    "REITs": ("Data Center REITs", "Health Care REITs", "Hotel & Resort REITs", "Industrial REITs", "Multi-Family Residential REITs",
              "Office REITs", "Other Specialized REITs", "Retail REITs", "Self-Storage REITs", "Single-Family Residential REITs",
              "Telecom Tower REITs", "Timber REITs"),
}

INDUSTRY_WORDS: dict[str, str] = {
    # everyday words -> a group label or a sub-industry (sector words stay in `sectors.ALIASES`)
    "banks": "Banks", "semiconductor": "Semiconductors", "chips": "Semiconductors", "chip": "Semiconductors",
    "chipmakers": "Semiconductors", "chipmaker": "Semiconductors", "oil and gas": "Oil & Gas", "oil": "Oil & Gas",
    "insurers": "Insurance", "insurer": "Insurance", "medtech": "Medical Devices", "reit": "REITs",
    "pharma": "Pharmaceuticals", "pharmaceutical": "Pharmaceuticals", "biotech": "Biotechnology",
    "airlines": "Passenger Airlines", "airline": "Passenger Airlines", "railroads": "Rail Transportation",
    "automakers": "Automobile Manufacturers", "carmakers": "Automobile Manufacturers", "homebuilders": "Homebuilding",
    "investment banking": "Investment Banking & Brokerage", "brokers": "Investment Banking & Brokerage",
    "asset management": "Asset Management & Custody Banks", "payments": "Transaction & Payment Processing Services",
}


@dataclass(frozen=True, slots=True)
class Member:
    """One S&P 500 member as the constituents list gives it."""

    symbol: str
    name: str
    sector: str
    sub_industry: str


@lru_cache(maxsize=1)
def sp500() -> dict[str, Member]:
    """Every S&P 500 member by ticker (Yahoo spelling: BRK-B), from `data/sp500.csv`."""
    if not SP500_PATH.is_file():
        return {}
    with open(SP500_PATH, newline="", encoding="utf-8") as f:
        return {r["symbol"]: Member(r["symbol"], r["name"], r["sector"], r["sub_industry"]) for r in csv.DictReader(f)}


def share_classes(symbol: str) -> list[str]:
    """The S&P 500 tickers of the same company (GOOGL -> GOOG, GOOGL), the given one first."""
    member = sp500().get(symbol)
    if member is None:
        return [symbol]
    company = re.sub(r"\s*\(Class [A-Z]\)$", "", member.name)
    twins = [s for s, m in sp500().items() if s != symbol and re.sub(r"\s*\(Class [A-Z]\)$", "", m.name) == company]
    return [symbol, *twins] if company != member.name else [symbol]


@lru_cache(maxsize=1)
def sub_industries() -> dict[str, Sector]:
    """Every GICS sub-industry of the S&P 500 list -> its sector."""
    out: dict[str, Sector] = {}
    for m in sp500().values():
        out.setdefault(m.sub_industry, normalize_sector(m.sector))
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    """Lower-case phrase -> industry label: group labels, sub-industry names, everyday words."""
    labels = {s.lower(): s for s in sub_industries()}
    labels |= {g.lower(): g for g in INDUSTRY_GROUPS}
    return labels | INDUSTRY_WORDS


def industry_members(label: str) -> tuple[str, ...]:
    """The GICS sub-industries an industry label stands for."""
    return INDUSTRY_GROUPS.get(label) or ((label,) if label in sub_industries() else ())


def normalize_industry(text: str) -> str | None:
    """An industry label for a group name, sub-industry name or everyday word, else None."""
    key = _key(text)
    return _labels().get(key) or _labels().get(key.replace(" and ", " & "))


def normalize_group(text: str) -> str:
    """A sector or industry argument -> its canonical name: an industry label when the words name
    one ("semiconductors", "banks", "Oil & Gas"), else a GICS sector ("banking" -> Financials)."""
    industry = normalize_industry(text)
    if industry:
        return industry
    try:
        return normalize_sector(text)
    except ValueError:
        examples = ", ".join(list(INDUSTRY_GROUPS)[:4])
        raise ValueError(f"unknown sector or industry {text!r}; the sectors are: {', '.join(SECTORS)}; "
                         f"industries are GICS sub-industries or groups such as {examples}") from None


def is_sector(group: str) -> bool:
    return group in SECTORS


def sector_of(group: str) -> Sector | None:
    """The GICS sector of a sector or industry label (None when its sub-industries span several)."""
    if group in SECTORS:
        return group
    sectors = {sub_industries().get(s) for s in industry_members(group)}
    return next(iter(sectors)) if len(sectors) == 1 else None


@lru_cache(maxsize=1)
def _industry_patterns() -> tuple[tuple[re.Pattern[str], str, int], ...]:
    """Each industry phrase, also followed by a sector noun ("oil & gas stocks" beats "gas stocks")."""
    labels = _labels()
    return phrase_patterns(labels | {f"{k} {noun}": v for k, v in labels.items() for noun in SECTOR_NOUNS})


def find_groups(text: str) -> list[str]:
    """The sectors and industries a free-text request names, in order of mention, no repeats: an
    industry where the words name one ("the semiconductor sector" -> Semiconductors), else the sector
    (`sectors.find_sectors`'s rules). Longest phrase first; an industry wins a tie."""
    lowered = text.lower()
    candidates = sorted([*_industry_patterns(), *sector_phrases()], key=lambda p: -p[2])
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, value, _ in candidates:
        for m in pattern.finditer(lowered):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                taken.append((m.start(), m.end()))
                found.append((m.start(), value))
    return list(dict.fromkeys(v for _, v in sorted(found)))


__all__ = ["Member", "sp500", "share_classes", "sub_industries", "INDUSTRY_GROUPS", "industry_members", "normalize_industry",
           "normalize_group", "is_sector", "sector_of", "find_groups"]
