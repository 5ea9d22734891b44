"""Two runs of one orchestration (one call per value) keep both runs' tables in what the answer is
built from and traced to (no model)."""

from types import SimpleNamespace

from pydantic import BaseModel

from agent.grounding.figures import allowed_figures
from agent.grounding.request import answer_data, answer_request, named_tables
from orchestrations import OrchestrationData, Table

HOTELS = SimpleNamespace(name="hotel_search")


class Params(BaseModel):
    city: str


def run(city: str, price: int) -> tuple:
    table = Table(f"Hotels in {city}", ["hotel", "per night $", "total $"], [[f"{city} Central", price, price * 3]])
    return HOTELS, Params(city=city), OrchestrationData(tables={"hotels": table})


def test_a_second_run_of_an_orchestration_keeps_its_own_tables():
    assert list(named_tables([("w", {"f": 1}), ("w", {"f": 2}), ("h", {"x": 3})])) == ["w.f", "w.f (2)", "h.x"]
    assert list(named_tables([("w", {"f": 2})], taken=["w.f"])) == ["w.f (2)"]


def test_both_cities_figures_are_traced_and_offered_as_clauses():
    results = [run("Rome", 195), run("Florence", 182)]
    figures = allowed_figures(answer_data("Hotels in Rome and Florence?", results))
    assert {"195", "585", "182", "546"} <= set(figures)
    clauses = answer_request("Hotels in Rome and Florence?", [], results, mode="composed").clauses
    assert any("Rome Central" in c for c in clauses) and any("Florence Central" in c for c in clauses)
