"""Industries as groups beside the sectors, and the S&P 500 list every member's name comes from."""

from __future__ import annotations

import pytest

from tools.market import (
    INDUSTRY_GROUPS,
    SECTORS,
    SnapshotProvider,
    find_groups,
    find_sectors,
    industry_members,
    normalize_group,
    sector_of,
    sp500,
    sub_industries,
)


def test_every_sp500_member_is_listed_with_its_sector_and_sub_industry():
    members = sp500()
    assert len(members) == 503
    assert members["PLTR"].name == "Palantir Technologies" and members["PLTR"].sub_industry == "Application Software"
    assert "BRK-B" in members and "BRK.B" not in members  # Yahoo spelling, as the providers use
    assert set(sub_industries().values()) == set(SECTORS)
    for label, subs in INDUSTRY_GROUPS.items():
        assert set(subs) <= set(sub_industries()), label  # every group names real GICS sub-industries


@pytest.mark.parametrize("query, expected", [
    ("Analyze the semiconductor sector", ["Semiconductors"]),
    ("How are chipmakers doing?", ["Semiconductors"]),
    ("oil & gas stocks over two years", ["Oil & Gas"]),  # not "gas stocks" -> Energy
    ("Compare the banks", ["Banks"]),
    ("the banking sector trends for JPMorgan Chase and Bank of America", ["Financials"]),  # a sector word stays a sector
    ("Diversified Banks and regional banks", ["Diversified Banks", "Regional Banks"]),
    ("tech stocks", ["Information Technology"]),
    ("How financially healthy is Johnson & Johnson?", []),
])
def test_find_groups_prefers_the_industry_the_words_name(query, expected):
    assert find_groups(query) == expected


def test_sector_arguments_still_read_sectors_only():
    assert find_sectors("Analyze the semiconductor sector") == ["Information Technology"]


def test_normalize_group_and_what_a_group_holds():
    assert normalize_group("semiconductors") == "Semiconductors"
    assert normalize_group("Oil and Gas") == "Oil & Gas"
    assert normalize_group("banking") == "Financials"
    assert normalize_group(" Financials ") == "Financials"
    with pytest.raises(ValueError, match="industries are GICS sub-industries"):
        normalize_group("widgets")
    assert industry_members("Banks") == ("Diversified Banks", "Regional Banks")
    assert industry_members("Pharmaceuticals") == ("Pharmaceuticals",)
    assert sector_of("Semiconductors") == "Information Technology" and sector_of("Energy") == "Energy"


async def test_screening_an_industry_returns_exactly_its_members():
    top = await SnapshotProvider().top_companies(industry="Semiconductors", limit=50)
    symbols = [c.symbol for c in top]
    assert symbols[:3] == ["NVDA", "AVGO", "AMD"] and "AAPL" not in symbols and "MSFT" not in symbols
    assert {c.industry for c in top} <= {"Semiconductors", "Semiconductor Materials & Equipment"}
    assert [c.market_cap for c in top] == sorted((c.market_cap for c in top), reverse=True)
    banks = await SnapshotProvider().top_companies(industry="banks", limit=50)
    assert {c.industry for c in banks} == {"Diversified Banks"} and "BLK" not in [c.symbol for c in banks]
