"""`Finding` and `FindingBuilder`: figures recorded as written, incomplete findings dropped."""

from orchestrations import Finding
from orchestrations._findings import FindingBuilder


def test_builder_formats_numbers_and_records_them_as_figures():
    b = FindingBuilder()
    b.add("{} has {} of revenue and a {} margin.", "JPM", 398_150_000_000, 25.314, pct=(False, False, True), source="t[JPM]")
    (f,) = b.findings
    assert f.text == "JPM has 398.15B of revenue and a 25.31% margin."
    assert f.figures == ["398.15B", "25.31%"] and f.source == "t[JPM]"
    assert all(fig in f.text for fig in f.figures)


def test_a_finding_with_a_missing_figure_is_left_out():
    b = FindingBuilder()
    b.add("P/E {}", None)
    assert b.findings == []


def test_missing_data_becomes_a_finding_without_figures():
    b = FindingBuilder()
    b.missing(["get_stock_price(symbol='PNC'): no price data", "get_peers(symbol='X'): boom", "c: d"], limit=2)
    (f,) = b.findings
    assert "get_stock_price(symbol='PNC')" in f.text and "1 more" in f.text and f.figures == []


def test_round_trip():
    f = Finding("a 1.5% rise", ["1.5%"], "index")
    assert Finding.from_dict(f.to_dict()) == f
