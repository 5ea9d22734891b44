"""The local backend with the REAL embedded model (SmolLM2-135M): one model shared by every test."""

from __future__ import annotations

import enum
import json

import pytest
from pydantic import BaseModel, Field

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")
jsonschema = pytest.importorskip("jsonschema")

from agent.llm import LLMError, LLMRequest, Message, ToolCall, ToolSpec  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402
from tools import strict_schema  # noqa: E402

pytestmark = EMBEDDED_MODEL


class Horizon(str, enum.Enum):
    short = "short"
    medium = "medium"
    long = "long"


class Range(BaseModel):
    low: float = Field(ge=0)
    high: float | None = None


class Analysis(BaseModel):
    symbol: str = Field(description="Ticker symbol, e.g. AAPL")
    horizon: Horizon = Horizon.medium
    peers: list[str] = Field(default_factory=list, max_length=3)
    price_range: Range | None = None
    kind: str = Field("full", json_schema_extra={"const": "full"})


PRICE = ToolSpec(
    "get_stock_price",
    "Get the latest stock price of one company.",
    {"type": "object", "properties": {"symbol": {"type": "string", "description": "Ticker symbol"}},
     "required": ["symbol"], "additionalProperties": False},
)
AREA = ToolSpec(
    "rectangle_area",
    "Compute the area of a rectangle from its width and height.",
    {"type": "object", "properties": {"width": {"type": "number"}, "height": {"type": "number"}},
     "required": ["width", "height"], "additionalProperties": False},
)
ANALYSIS = ToolSpec("analyse_company", "A strategic analysis of one company.", strict_schema(Analysis.model_json_schema()))
TOOLS = [PRICE, AREA]


@pytest.fixture(scope="session")
def llm() -> LlamaCppChat:
    return LlamaCppChat(n_threads=2)


@pytest.fixture(scope="session")
def gbnf_llm(llm) -> LlamaCppChat:
    return LlamaCppChat(n_threads=2, engine="gbnf")  # shares the loaded model


def _valid(spec: ToolSpec, arguments: str) -> None:
    jsonschema.validate(json.loads(arguments), spec.parameters)


def test_missing_model_path_is_an_llm_error(tmp_path):
    with pytest.raises(LLMError, match="GGUF"):
        LlamaCppChat(model_path=str(tmp_path / "nope.gguf"))


def test_models_are_loaded_once_and_shared(llm, gbnf_llm):
    assert llm.llama is gbnf_llm.llama
    assert llm.model == "SmolLM2-135M-Instruct.Q4_1" and llm.context_window == 4096


async def test_auto_calls_a_fitting_tool(llm):
    r = await llm.complete(LLMRequest([Message.user("What is the stock price of Apple (AAPL)?")], TOOLS, "auto", max_tokens=40))
    assert [c.name for c in r.tool_calls][:1] == ["get_stock_price"]
    for c in r.tool_calls:
        _valid({t.name: t for t in TOOLS}[c.name], c.arguments)
    assert r.usage.prompt_tokens > 0 and r.usage.completion_tokens > 0


@pytest.mark.parametrize("query", [
    "Get the stock price of Apple (AAPL), then compute the area of a rectangle 3 wide and 4 high.",
    "What is the stock price of Apple (AAPL)? Also compute the area of a 3 by 4 rectangle.",  # split where the clause ends
])
async def test_a_request_in_two_parts_gets_a_call_per_part(llm, query):
    r = await llm.complete(LLMRequest([Message.user(query)], TOOLS, "auto", max_tokens=60))
    assert [c.name for c in r.tool_calls] == ["get_stock_price", "rectangle_area"]
    assert json.loads(r.tool_calls[0].arguments) == {"symbol": "AAPL"}
    assert json.loads(r.tool_calls[1].arguments) == {"width": 3, "height": 4}


async def test_auto_answers_a_greeting_in_text(llm):
    r = await llm.complete(LLMRequest([Message.user("Hello! What can you do?")], TOOLS, "auto", max_tokens=24))
    assert r.tool_calls == [] and r.text


async def test_required_always_calls(llm):
    r = await llm.complete(LLMRequest([Message.user("Hello there")], TOOLS, "required", max_tokens=40))
    assert r.tool_calls and r.text == ""
    for c in r.tool_calls:
        _valid({t.name: t for t in TOOLS}[c.name], c.arguments)


async def test_text_with_tools_on_offer_is_not_a_call_in_disguise(llm):
    """After calls in its history, asked to repeat itself, the model would write the JSON call list
    as text; with tools on offer a text reply may not start like one (without tools it may)."""
    price = ToolCall("call_1", "get_stock_price", '{"symbol":"AAPL"}')
    history = [Message.user("What is the stock price of Apple (AAPL)?"), Message.assistant(None, [price]),
               Message.tool(price, '{"price": 189.5}'), Message.user("Repeat your previous reply exactly, character for character.")]
    r = await llm.complete(LLMRequest(history, [PRICE], "none", max_tokens=30))
    assert r.tool_calls == [] and r.text and r.text.lstrip()[0] not in "[{", r.text
    plain = await llm.complete(LLMRequest(history, [], "auto", max_tokens=30))
    assert plain.text.startswith('[{"name"'), plain.text  # the imitation the rule prevents


async def test_none_never_calls(llm):
    r = await llm.complete(LLMRequest([Message.user("What is the price of AAPL?")], TOOLS, "none", max_tokens=16))
    assert r.tool_calls == [] and r.text and r.usage.completion_tokens > 0


async def test_named_tool_is_called_exactly_once(llm):
    r = await llm.complete(LLMRequest([Message.user("What is the price of AAPL?")], TOOLS, "rectangle_area", max_tokens=40))
    assert [c.name for c in r.tool_calls] == ["rectangle_area"]
    _valid(AREA, r.tool_calls[0].arguments)


async def test_unknown_named_tool_is_a_bad_request(llm):
    with pytest.raises(LLMError):
        await llm.complete(LLMRequest([Message.user("hi")], TOOLS, "no_such_tool", max_tokens=8))


async def test_grounding_restricts_the_ticker(llm):
    grounding = {"get_stock_price": {"symbol": ["MSFT", "GOOGL"]}}
    r = await llm.complete(LLMRequest([Message.user("How much is Microsoft stock?")], [PRICE], "get_stock_price",
                                      max_tokens=30, grounding=grounding))
    assert json.loads(r.tool_calls[0].arguments)["symbol"] in ("MSFT", "GOOGL")



def test_the_argument_grammar_admits_exactly_the_declared_properties(llm):
    """Issue 29: a non-strict schema (no `additionalProperties`) is decoded closed, so another
    tool's argument (`symbol`) can never be written into `get_weather`'s call. (llama.cpp's GBNF
    converter already closes objects; llguidance follows JSON Schema and did not.)"""
    from agent.llm._local import grammar as G

    weather = ToolSpec("get_weather", "Current weather in a city",
                       {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"type": "string"}}, "required": ["city"]})
    schema = llm.compile_grammar(weather)

    def accepts(text: str) -> bool:
        tokens = llm.llama.tokenize(text.encode(), add_bos=False, special=False)
        matcher = G.llg_matcher(llm.llama, schema)
        return matcher.try_consume_tokens(tokens) == len(tokens) and matcher.is_accepting()

    assert accepts('{"city":"Paris","unit":"celsius"}')
    assert not accepts('{"city":"Paris","unit":"celsius","symbol":"A"}')
    assert not accepts('{"city":"Paris","symbol":"A"}')
