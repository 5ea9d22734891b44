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


def test_a_table_of_counted_rows_gives_a_clause_per_row_under_its_title():
    from agent.grounding.clauses import answer_clauses, counted_rows

    oslo = {"title": "Weather in Oslo", "columns": ["day", "high °C", "rain mm"], "rows": [[1, 10, 0], [2, 9, 2]]}
    bergen = {"title": "Weather in Bergen", "columns": ["day", "high °C", "rain mm"], "rows": [[1, 11, 0]]}
    assert counted_rows(oslo) == ["Weather in Oslo, day 1: high °C 10, rain mm 0", "Weather in Oslo, day 2: high °C 9, rain mm 2"]
    clauses = answer_clauses("What's the weather in Oslo and Bergen?", [], {"w.f": oslo, "w.f (2)": bergen})
    assert "Weather in Bergen, day 1: high °C 11, rain mm 0" in clauses and len(clauses) == 3
    hotels = {"title": "Hotels in Rome", "columns": ["hotel", "total $"], "rows": [["Rome Central", 585]]}
    assert counted_rows(hotels) == []  # rows named by a string: the cells are claims of their own


def test_a_table_of_named_rows_with_words_gives_a_clause_per_row_with_every_cell():
    from agent.grounding.clauses import listed_rows

    events = {"title": "Events on 2025-06-11", "columns": ["id", "start", "minutes", "title", "attendees"],
              "rows": [["EV-2033", "08:30", 45, "Dentist appointment", ""], ["EV-2034", "12:30", 60, "Lunch with Sam", "sam@example.org"]]}
    assert listed_rows(events) == ["Events on 2025-06-11, EV-2033: start 08:30, minutes 45, title Dentist appointment",
                                   "Events on 2025-06-11, EV-2034: start 12:30, minutes 60, title Lunch with Sam, attendees sam@example.org"]
    clauses = answer_clauses("What's on my calendar tomorrow?", [], {"list_events.events": events})
    assert clauses[:2] == listed_rows(events) and not any("'s minutes" in c for c in clauses)
    # rows of figures alone keep their per-cell claims
    assert listed_rows({"title": "Hotels", "columns": ["hotel", "total $"], "rows": [["Rome Central", 585]]}) == []


def test_a_sent_email_is_data_to_state_not_no_data():
    from pydantic import BaseModel

    from agent.grounding.request import no_data_answer
    from orchestrations import OrchestrationData, Table

    class P(BaseModel):
        to: str

    sent = OrchestrationData(tables={"sent": Table("Sent", ["id", "to", "subject"], [["M-510", "dana@example.org", "Venue shortlist"]])})
    assert no_data_answer([(object, P(to="dana@example.org"), sent)]) is None
    assert no_data_answer([(object, P(to="dana@example.org"), OrchestrationData())]) is not None
    failed = OrchestrationData(tables={"profile": Table("Profile", ["symbol", "sector"], [["XYZ", "Energy"]])}, missing=["prices: HTTP 404"])
    assert no_data_answer([(object, P(to="XYZ"), failed)]) is not None  # a step that missed its data still says so


def test_tables_of_listed_rows_alone_are_answered_by_listing_every_row():
    from pydantic import BaseModel

    from agent.grounding.request import listed_answer
    from orchestrations import Finding, OrchestrationData, Table

    class P(BaseModel):
        date: str

    rows = [[f"EV-{i}", f"{8 + i}:00", 60, f"Meeting {i}"] for i in range(4)]
    events = OrchestrationData(tables={"events": Table("Events", ["id", "start", "minutes", "title"], rows)})
    answer = listed_answer([(object, P(date="Friday"), events)])
    assert answer is not None and answer.count("\n") == 3 and "Events, EV-3: start 11:00, minutes 60, title Meeting 3." in answer
    # findings or a miss: the analysis answers as before
    for other in (OrchestrationData(tables=events.tables, findings=[Finding("Four meetings.")]), OrchestrationData(tables=events.tables, missing=["x: y"])):
        assert listed_answer([(object, P(date="Friday"), other)]) is None
    counted = listed_answer([(object, P(date="Friday"), OrchestrationData(tables=events.tables, facts={"count": 4}))])
    assert counted is not None and counted.startswith("Result: count 4.\n") and counted.count("\n") == 4
    hotels = OrchestrationData(tables={"hotels": Table("Hotels", ["hotel", "total $"], [["Rome Central", 585]])})
    assert listed_answer([(object, P(date="Friday"), hotels)]) is None  # figures alone: claims, composed


def test_what_an_action_did_is_stated_from_its_facts():
    # an orchestration of facts alone (a timer set, a playlist made) had no clause: the model wrote free text
    from pydantic import BaseModel

    from agent.grounding.request import listed_answer, no_data_answer
    from orchestrations import OrchestrationData

    class SleepTimer:
        name = "sleep_timer"

    class P(BaseModel):
        minutes: int

    done = [(SleepTimer, P(minutes=10), OrchestrationData(facts={"stops_in_minutes": 10}))]
    assert no_data_answer(done) is None and listed_answer(done) == "Sleep timer: stops in minutes 10."
    made = [(SleepTimer, P(minutes=10), OrchestrationData(facts={"created": "Party", "public": False}))]
    assert no_data_answer(made) is None and listed_answer(made) == "Sleep timer: created Party, public false."
    assert no_data_answer([(SleepTimer, P(minutes=10), OrchestrationData())]) is not None
