from typing import Annotated, Literal

import jsonschema
import pytest
from pydantic import BaseModel, Field

from orchestrations import ReActLoop, registered_orchestrations
from tools import check_strict, registered_tools, tool


class Point(BaseModel):
    x: int
    label: str = "p"


@tool
def sample(
    symbol: Annotated[str, Field(description="Ticker symbol")],
    period: Literal["annual", "quarter"] = "annual",
    limit: int = 5,
    since: str | None = None,
    points: list[Point] = [],
    origin: Point | None = None,
) -> dict:
    """Fetch a sample.

    Args:
        limit: how many records
    """
    return {}


def test_schema_carries_descriptions_enums_and_defaults():
    props = sample.parameters["properties"]
    assert sample.description == "Fetch a sample."
    assert props["symbol"] == {"description": "Ticker symbol", "type": "string"}
    enum_alt = props["period"]["anyOf"][0]
    assert enum_alt["enum"] == ["annual", "quarter"]
    assert "how many records" in props["limit"]["description"]
    assert "default: 5" in props["limit"]["description"]
    assert props["points"]["items"] == {"$ref": "#/$defs/Point"}


def test_schema_is_strict():
    s = sample.parameters
    assert check_strict(s) == []
    assert s["additionalProperties"] is False
    assert set(s["required"]) == {"symbol", "period", "limit", "since", "points", "origin"}
    assert s["$defs"]["Point"]["additionalProperties"] is False
    assert s["$defs"]["Point"]["required"] == ["x", "label"]


def test_optional_properties_are_nullable_and_required_ones_are_not():
    s = sample.parameters
    jsonschema.validate({"symbol": "AAPL", "period": None, "limit": None, "since": None, "points": None, "origin": None}, s)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"symbol": None, "period": None, "limit": None, "since": None, "points": None, "origin": None}, s)


def test_check_strict_reports_violations():
    bad = {"type": "object", "properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}}}
    problems = check_strict(bad)
    assert any("additionalProperties" in p for p in problems)
    assert any("not in required" in p for p in problems)


def test_every_registered_schema_is_strict():
    from agent import load_defaults

    load_defaults()
    schemas = {t.name: t.parameters for t in registered_tools().values()}
    schemas |= {o.name: o.parameters_schema() for o in [*registered_orchestrations().values(), ReActLoop]}
    assert schemas, "nothing registered"
    for name, schema in schemas.items():
        assert check_strict(schema) == [], name
        jsonschema.Draft202012Validator.check_schema(schema)


def test_properties_named_like_keywords_are_kept():
    from core.schema import strict_schema

    class Book(BaseModel):
        title: str
        default: int = 1
        examples: list[str] = []
        enum: str | None = None

    out = strict_schema(Book.model_json_schema())
    assert sorted(out["properties"]) == ["default", "enum", "examples", "title"]
    assert out["properties"]["title"] == {"type": "string"}
    assert "title" not in out  # the keyword itself still goes
    assert out["required"] == list(out["properties"])


def test_stated_default_reads_the_schema_or_the_note_strict_mode_wrote():
    from core.schema import stated_default, strict_schema
    schema = {"type": "object", "properties": {"part": {"type": "string", "default": "any", "description": "When."},
                                                "n": {"type": "integer", "description": "How many."}}}
    assert stated_default(schema["properties"]["part"]) == "any"
    strict = strict_schema(schema)
    assert stated_default(strict["properties"]["part"], strict) == "any"
    assert stated_default(strict["properties"]["n"], strict) is None
