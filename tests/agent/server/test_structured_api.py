"""The Python side of structured outputs: `LLMRequest(response_format=...)`, `structured()`, with
ScriptedLLM and the local model in-process (the HTTP side is in test_structured.py)."""

from __future__ import annotations

import json
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from agent.llm import LLMRequest, Message
from agent.llm.openai import OpenAIChat
from agent.llm.structured import StructuredOutputError, response_format_for, structured
from core import strict_schema
from agent.testing import ScriptedLLM


class Quote(BaseModel):
    symbol: str = Field(max_length=8)
    price: float
    note: str | None = None


def test_request_round_trip_keeps_response_format_and_old_keys():
    request = LLMRequest([Message.user("hi")], response_format=Quote, seed=3)
    assert request.response_format == response_format_for(Quote)
    assert request.response_format["json_schema"]["strict"] is True
    again = LLMRequest.from_dict(json.loads(json.dumps(request.to_dict())))
    assert again.response_format == request.response_format and again.seed == 3
    plain = LLMRequest([Message.user("hi")]).to_dict()
    assert "response_format" not in plain and "seed" not in plain  # recorded cassettes keep their match keys
    assert LLMRequest([Message.user("hi")], response_format={"type": "text"}).response_format is None


def test_bad_response_format_is_a_value_error_naming_the_part():
    with pytest.raises(ValueError, match="response_format.type"):
        LLMRequest([Message.user("hi")], response_format={"type": "yaml"})
    with pytest.raises(ValueError, match="pydantic model class"):
        LLMRequest([Message.user("hi")], response_format=Quote(symbol="A", price=1))


def test_strict_schema_closes_objects_and_requires_every_property():
    schema = strict_schema(Quote.model_json_schema())
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["symbol", "price", "note"]
    assert {"type": "null"} in schema["properties"]["note"]["anyOf"]  # optional stays nullable


def test_openai_chat_sends_response_format_and_seed():
    llm = OpenAIChat("gpt-x", api_key="sk-test")
    payload = llm._payload(LLMRequest([Message.user("hi")], response_format=Quote, seed=5))
    assert payload["response_format"] == response_format_for(Quote) and payload["seed"] == 5
    assert "response_format" not in llm._payload(LLMRequest([Message.user("hi")]))


async def test_structured_with_a_scripted_model():
    llm = ScriptedLLM([Quote(symbol="AAPL", price=189.5), "not json"])
    quote = await structured(llm, [Message.user("quote?")], Quote)
    assert quote == Quote(symbol="AAPL", price=189.5)
    assert llm.requests[0].response_format["json_schema"]["name"] == "Quote"
    with pytest.raises(StructuredOutputError, match="not a valid Quote"):
        await structured(llm, [Message.user("quote?")], Quote)


@pytest.mark.local_model
async def test_structured_with_the_local_model_in_process():
    from agent.llm.llamacpp import LlamaCppChat, default_model_path

    if default_model_path() is None:
        pytest.skip("the embedded model is not installed")
    llm = LlamaCppChat()
    quote = await structured(llm, [Message.user("Apple (AAPL) is at 189.5 dollars.")], Quote, max_tokens=60)
    assert isinstance(quote, Quote) and len(quote.symbol) <= 8
    streamed = [p async for p in llm.stream(LLMRequest([Message.user("Any JSON object about Apple.")],
                                                       response_format={"type": "json_object"}, max_tokens=40))]
    response = streamed[-1].response
    if response.finish_reason == "stop":
        assert isinstance(json.loads(response.text), dict)
    assert "".join(p.delta for p in streamed[:-1]).strip() == response.text.strip()
