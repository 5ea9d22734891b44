"""The clauses of a clause or composed answer: findings first; claims from the small tables' cells."""

from __future__ import annotations

from agent.grounding.clauses import answer_clauses

HOTELS = {"hotel_search.hotels": {"columns": ["hotel", "per night $", "total $"],
                                  "rows": [["Florence Central", 182, 546], ["Florence Hostel", 56, 168]]}}


def test_without_findings_every_small_table_cell_is_a_claim():
    clauses = answer_clauses("And in Florence?", [], HOTELS)  # a follow-up names no measure
    assert any("Florence Hostel" in c and "56" in c for c in clauses)
    assert any("Florence Central" in c and "546" in c for c in clauses)


def test_with_findings_only_the_cells_the_question_asks_about_are_claims():
    finding = {"text": "Florence Hostel is the cheapest at 56 a night.", "figures": ["56"], "source": "hotels"}
    clauses = answer_clauses("And in Florence?", [finding], HOTELS)
    assert clauses == ["Florence Hostel is the cheapest at 56 a night"]
    asked = answer_clauses("What is the total for Florence Central?", [finding], HOTELS)
    assert any("Florence Central" in c and "546" in c for c in asked)
