"""Structured outputs over real HTTP: `finagent serve` (the embedded model) decodes
`response_format` json_schema / json_object under a grammar, streamed or not, through the
official `openai` client and through `structured()` with OpenAIChat; bad schemas get a 400."""

from __future__ import annotations

import json
from typing import Annotated, Literal

import openai
import pytest
from pydantic import BaseModel, Field

from agent.llm import Message
from agent.llm.openai import OpenAIChat
from agent.llm.structured import StructuredOutputError, structured

pytestmark = [pytest.mark.server, pytest.mark.local_model]


class Quote(BaseModel):
    symbol: str = Field(max_length=8)
    price: float
    currency: Literal["USD", "EUR"]


class Sentiment(BaseModel):
    label: Literal["positive", "negative", "neutral"]
    reasons: list[Annotated[str, Field(max_length=40)]] = Field(max_length=3)


ASK = [{"role": "user", "content": "Apple (AAPL) trades at 189.5 US dollars. Give the quote."}]


def client(server) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key="unused", base_url=server.base_url, max_retries=0, timeout=600)


def json_schema(model: type[BaseModel], strict: bool) -> dict:
    return {"type": "json_schema", "json_schema": {"name": model.__name__, "schema": model.model_json_schema(), "strict": strict}}


@pytest.mark.parametrize("strict", [True, False])
async def test_json_schema_reply_validates(serve, strict):
    async with client(serve) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, response_format=json_schema(Quote, strict),
                                            max_tokens=60)
    choice = r.choices[0]
    assert choice.finish_reason == "stop", choice.message.content
    quote = Quote.model_validate_json(choice.message.content)  # the grammar guarantees the shape
    assert quote.currency in ("USD", "EUR")
    if strict:  # closed object: nothing but the schema's keys
        assert set(json.loads(choice.message.content)) == {"symbol", "price", "currency"}


async def test_the_sdk_parse_helper_gets_a_pydantic_instance(serve):
    async with client(serve) as c:
        parse = c.chat.completions.parse if hasattr(c.chat.completions, "parse") else c.beta.chat.completions.parse
        r = await parse(model="local", messages=[{"role": "user", "content": "Review: 'great product, fast delivery'."}],
                        response_format=Sentiment, max_tokens=60)
    parsed = r.choices[0].message.parsed
    assert isinstance(parsed, Sentiment) and len(parsed.reasons) <= 3


async def test_json_object_reply_is_a_json_object(serve):
    async with client(serve) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, response_format={"type": "json_object"}, max_tokens=40)
    content = r.choices[0].message.content
    assert content.startswith("{")
    if r.choices[0].finish_reason == "stop":  # the small model may write a long object: then it is cut
        assert isinstance(json.loads(content), dict)
    else:
        assert r.choices[0].finish_reason == "length" and r.usage.completion_tokens == 40


async def test_streamed_json_schema_reply(serve):
    async with client(serve) as c:
        stream = await c.chat.completions.create(model="local", messages=ASK, response_format=json_schema(Quote, True),
                                                 max_tokens=60, stream=True)
        chunks = [ch async for ch in stream]
    pieces = [ch.choices[0].delta.content for ch in chunks if ch.choices and ch.choices[0].delta.content]
    assert len(pieces) >= 3, "the structured reply did not stream"
    Quote.model_validate_json("".join(pieces))
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_cut_off_structured_reply_says_length(serve):
    async with client(serve) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, response_format=json_schema(Quote, True), max_tokens=3)
    assert r.choices[0].finish_reason == "length"
    with pytest.raises(StructuredOutputError, match="max_tokens"):
        from agent.llm.structured import parse_structured
        parse_structured(r.choices[0].message.content, Quote, r.choices[0].finish_reason)


@pytest.mark.parametrize("stream", [False, True])
async def test_a_schema_we_cannot_compile_is_a_400_naming_the_part(serve, stream):
    bad = {"type": "json_schema", "json_schema": {"name": "bad", "strict": True, "schema": {
        "type": "object", "properties": {"when": {"type": "string", "format": "no-such-format"}}, "required": ["when"]}}}
    async with client(serve) as c:
        with pytest.raises(openai.BadRequestError) as info:
            await c.chat.completions.create(model="local", messages=ASK, response_format=bad, max_tokens=20, stream=stream)
    error = info.value.body
    assert error["param"] == "response_format"
    assert "no-such-format" in error["message"] or "format" in error["message"], error["message"]


@pytest.mark.parametrize("fmt, part", [
    ({"type": "xml"}, "response_format.type"),
    ({"type": "json_schema"}, "response_format.json_schema"),
    ({"type": "json_schema", "json_schema": {"name": "has space", "schema": {}}}, "name"),
    ({"type": "json_schema", "json_schema": {"name": "x", "schema": []}}, "schema"),
])
async def test_malformed_response_format_is_a_400(serve, fmt, part):
    async with client(serve) as c:
        with pytest.raises(openai.BadRequestError) as info:
            await c.chat.completions.create(model="local", messages=ASK, response_format=fmt)
    assert info.value.body["param"] == "response_format" and part in info.value.body["message"]


async def test_structured_helper_through_openai_chat(serve):
    """The Python API: `structured(llm, messages, Model)` with OpenAIChat maps to response_format."""
    llm = OpenAIChat("local", api_key="unused", base_url=serve.base_url, max_retries=0, timeout=600)
    quote = await structured(llm, [Message.user(ASK[0]["content"])], Quote, max_tokens=60)
    assert isinstance(quote, Quote)
    await llm.aclose()
