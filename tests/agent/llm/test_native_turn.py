"""The native tool turn with the REAL embedded model: SmolLM2's own template declares no tools, so
the public Qwen2.5 template is given to a separately loaded copy (another context size) to drive
the native path end to end: the prompt, the model's pick, the calls in the template's format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.llm import LLMRequest, Message, ToolCall, ToolSpec  # noqa: E402
from agent.llm._local.calibration import Calibration  # noqa: E402
from agent.llm._local.native import NativeTemplate  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL

QWEN = (Path(__file__).parent / "templates" / "qwen2.5-instruct.jinja").read_text(encoding="utf-8")
PRICE = ToolSpec("get_stock_price", "Get the latest stock price of one company.",
                 {"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"], "additionalProperties": False})
AREA = ToolSpec("rectangle_area", "Compute the area of a rectangle from its width and height.",
                {"type": "object", "properties": {"width": {"type": "number"}, "height": {"type": "number"}},
                 "required": ["width", "height"], "additionalProperties": False})


def test_the_embedded_models_template_keeps_the_backends_own_prompt():
    assert LlamaCppChat(n_threads=2, calibrate=False)._loaded.native is None


@pytest.fixture(scope="module")
def native_llm() -> LlamaCppChat:
    llm = LlamaCppChat(n_threads=2, n_ctx=3072, calibrate=False)  # its own loaded copy: other tests keep ChatML
    llm._loaded.native = NativeTemplate.load(QWEN, eos="<|im_end|>")
    assert llm._loaded.native is not None
    return llm


async def test_required_calls_are_written_in_the_templates_format(native_llm):
    messages = [Message.user("Area of a rectangle 3 wide and 4 high?")]
    prompt = native_llm._routing_prompt(messages, [PRICE, AREA], False)
    text = native_llm.llama.detokenize(prompt).decode()
    assert "<tools>" in text and '"name": "rectangle_area"' in text  # the template rendered the tools
    response = await native_llm.complete(LLMRequest(messages, [PRICE, AREA], "required", max_tokens=60))
    assert [c.name for c in response.tool_calls] == ["rectangle_area"]
    assert json.loads(response.tool_calls[0].arguments) == {"width": 3, "height": 4}


async def test_history_calls_and_results_go_through_the_template(native_llm):
    first = await native_llm.complete(LLMRequest([Message.user("Price of AAPL?")], [PRICE], "get_stock_price", max_tokens=40))
    assert [c.name for c in first.tool_calls] == ["get_stock_price"]
    assert isinstance(json.loads(first.tool_calls[0].arguments)["symbol"], str)  # the grammar holds in the native format
    call = ToolCall("call_1", "get_stock_price", '{"symbol": "AAPL"}')
    history = [Message.user("Price of AAPL?"), Message.assistant(None, [call]), Message.tool(call, '{"price": 189.5}')]
    text = native_llm.llama.detokenize(native_llm._routing_prompt(history, [PRICE], True)).decode()
    assert '<tool_call>\n{"name": "get_stock_price", "arguments": {"symbol": "AAPL"}}\n</tool_call>' in text
    assert '<tool_response>\n{"price": 189.5}\n</tool_response>' in text


async def test_a_model_that_decides_answers_in_text_or_writes_a_valid_call(native_llm):
    native_llm.calibrations[("get_stock_price", "rectangle_area")] = Calibration(2.0, 8, 1.0, 0.5)
    try:
        response = await native_llm.complete(LLMRequest([Message.user("Hello! Who are you?")], [PRICE, AREA], "auto", max_tokens=40))
    finally:
        native_llm.calibrations.clear()
    for call in response.tool_calls:  # the lazy grammar: any call after the trigger is valid
        assert call.name in ("get_stock_price", "rectangle_area")
        json.loads(call.arguments)
    assert response.tool_calls or (response.text or "").strip()
