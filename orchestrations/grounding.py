"""Argument grounding: the values a symbol or sector argument may take for this query.

A small model invents tickers and picks sectors at random; a grammar built from these lists cannot.
The tickers and company names found in the query (case-insensitive, "Apple" -> AAPL) are the
allowed symbols; when the query names none, every ticker the active data provider knows is
allowed. Names are the provider's and every S&P 500 member's (`tools.market.sp500`: "Palantir" ->
PLTR although the snapshot does not cover it; the analysis then says so once); a name the provider
does not know is taken only where the query capitalises it. A `sector` argument takes the sectors
and industries the query names ("semiconductors" -> Semiconductors, "banking" -> Financials,
`tools.market.find_groups`), else the eleven sectors; a `sectors` list takes sectors only
(`find_sectors`), and keeps its schema when the query names none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from orchestrations import registered_orchestrations
from tools.market import SECTORS, find_groups, find_sectors, share_classes, sp500

SYMBOL_ARGUMENTS = ("symbol", "symbol1", "symbol2")
GROUP_ARGUMENTS = ("sector",)
SECTOR_ARGUMENTS = ("sectors",)
_SUFFIXES = re.compile(r"\b(inc|incorporated|corp|corporation|co|company|companies|plc|ltd|limited|holdings?|group|the|class [ab]|& co)\b\.?", re.I)
NOT_TICKERS = {"CEO", "CFO", "USA", "ETF", "GDP", "IPO", "EPS", "ROE", "ROA", "API", "ESG", "FAQ", "USD", "EUR", "AND", "THE",
               "FOR", "YOY", "TTM", "EBIT", "CAGR", "GICS", "SEC", "FED", "CPI", "REIT", "NYSE"}
ALIASES = {"google": "GOOGL", "alphabet": "GOOGL", "facebook": "META", "meta": "META", "jpmorgan": "JPM", "j.p. morgan": "JPM",
           "bank of america": "BAC", "coca-cola": "KO", "coke": "KO", "johnson & johnson": "JNJ", "j&j": "JNJ",
           "first solar": "FSLR", "berkshire": "BRK-B", "exxon": "XOM", "nvidia": "NVDA", "tesla": "TSLA", "amazon": "AMZN"}


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", _SUFFIXES.sub(" ", name.lower().replace(",", " "))).strip(" .&-")


@lru_cache(maxsize=8)
def _name_index(names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Lower-case name keys -> ticker: the cleaned full name, and its first word when unambiguous."""
    index: dict[str, str] = {}
    first_words: dict[str, set[str]] = {}
    for symbol, name in names:
        cleaned = _clean(name)
        if cleaned:
            index[cleaned] = symbol
            first_words.setdefault(cleaned.split()[0], set()).add(symbol)
    for word, symbols in first_words.items():
        if len(symbols) == 1 and len(word) >= 4 and word not in index:
            index[word] = next(iter(symbols))
    return index


NOT_NAMES = frozenset({"first", "target", "best", "public", "global", "match", "fair", "home", "general", "block",
                       "southern", "international", "united", "american", "republic", "progressive"})
"""Company names that are also everyday words: read as a company only when written with a capital
("Target", not "price target"); an S&P 500 name outside the provider's data never from them."""



@lru_cache(maxsize=1)
def _sp500_names() -> dict[str, str]:
    return {s: m.name for s, m in sp500().items()}


def _covered_class(symbol: str, known: frozenset[str] | None) -> str:
    """A company named by name: the share class the provider covers ("Alphabet" -> GOOG in the snapshot)."""
    if known is None or symbol in known:
        return symbol
    return next((s for s in share_classes(symbol) if s in known), symbol)


def find_symbols(query: str, known: frozenset[str] | None, names: dict[str, str]) -> list[str]:
    """Tickers the query names, in order of appearance: explicit tickers, then company names (the
    provider's, then other S&P 500 members' written with a capital)."""
    found: list[tuple[int, str]] = []
    for match in re.finditer(r"\(([A-Z][A-Z.\-]{0,5})\)|\b([A-Z]{1,5}(?:[.-][A-Z])?)\b", query):
        ticker = match.group(1) or match.group(2)
        explicit = match.group(1) is not None
        if explicit or (known and ticker in known) or (len(ticker) >= 3 and ticker not in NOT_TICKERS):
            found.append((match.start(), ticker.replace(".", "-")))
    explicit_classes = {t for _, t in found}
    lowered = query.lower()
    # one index over every name (the provider's and the S&P 500's), so that a first word two companies
    # share ("Johnson", "General") names neither; the longest name written wins its words
    every = {**_sp500_names(), **names}
    index = {**_name_index(tuple(sorted(every.items()))), **ALIASES}
    taken: list[tuple[int, int]] = []
    for key, symbol in sorted(index.items(), key=lambda kv: -len(kv[0])):
        outside = symbol not in names and key not in ALIASES  # a member the provider has no name for
        if outside and key in NOT_NAMES:
            continue
        for match in re.finditer(rf"(?<![a-z]){re.escape(key)}(?![a-z])", lowered):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            if (outside or key in NOT_NAMES) and not query[match.start()].isupper():
                continue  # "price target" is not Target Corp.; an S&P 500 name outside the data needs its capital
            taken.append(match.span())
            if explicit_classes & {symbol, *share_classes(symbol)}:
                continue  # "Google (GOOGL)": the ticker written beside the name is the one meant
            found.append((match.start(), _covered_class(symbol, known)))
    ordered = [s for _, s in sorted(found)]
    return list(dict.fromkeys(ordered))


def ground_query(query: str, provider=None) -> dict[str, dict[str, list[str]]]:
    """Per orchestration, per symbol or sector argument: the allowed values for this query."""
    if provider is None:
        from tools.market import current_provider

        provider = current_provider()
    known = provider.symbols()
    symbols = find_symbols(query, known, provider.company_names())
    allowed = symbols or sorted(known or [])
    sectors: list[str] = list(find_sectors(query))
    groups: list[str] = find_groups(query) or list(SECTORS)
    grounding: dict[str, dict[str, list[str]]] = {}
    for name, cls in registered_orchestrations().items():
        fields = cls.Params.model_fields
        arguments = {a: allowed for a in SYMBOL_ARGUMENTS if a in fields and allowed}
        arguments |= {a: groups for a in GROUP_ARGUMENTS if a in fields}
        arguments |= {a: sectors for a in SECTOR_ARGUMENTS if a in fields and sectors}
        if arguments:
            grounding[name] = arguments
    return grounding
