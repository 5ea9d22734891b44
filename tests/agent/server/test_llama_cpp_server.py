"""llama-cpp-python's own server (an independent OpenAI-compatible peer) through OpenAIChat:
plain chat, streamed text, a named tool_choice, and a tool-call turn sent back with `content: ""`."""

from __future__ import annotations

import pytest

from agent.llm import LLMRequest, Message, ToolSpec
from agent.llm.openai import OpenAIChat

pytestmark = [pytest.mark.server, pytest.mark.local_model]

PRICE = ToolSpec("get_stock_price", "Latest stock price quote for a ticker symbol",
                 {"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]})


def chat(server) -> OpenAIChat:
    return OpenAIChat("local", api_key="unused", base_url=server.base_url, timeout=120, max_retries=0)


async def test_plain_chat_and_streamed_text(llama_server):
    llm = chat(llama_server)
    reply = await llm.complete(LLMRequest([Message.user("Say hello.")], max_tokens=12))
    assert reply.text.strip() and not reply.tool_calls
    assert reply.usage.prompt_tokens > 0 and reply.usage.completion_tokens > 0
    chunks = [c async for c in llm.stream(LLMRequest([Message.user("Count to five.")], max_tokens=12))]
    assert len([c for c in chunks if c.delta]) >= 2
    assert "".join(c.delta for c in chunks).strip() == chunks[-1].response.text.strip()
    await llm.aclose()


async def test_named_tool_choice_and_tool_result(llama_server):
    from tests.agent.llm.embedded import pinned_choice

    pinned_choice()
    llm = chat(llama_server)
    ask = [Message.user("What is the price of Apple (AAPL)?")]
    first = await llm.complete(LLMRequest(ask, [PRICE], "get_stock_price", max_tokens=48))
    assert [c.name for c in first.tool_calls] == ["get_stock_price"]
    assert isinstance(first.tool_calls[0].parsed_arguments(), dict)
    call = first.tool_calls[0]
    messages = [*ask, first.message, Message.tool(call, '{"price": 168.22}')]  # OpenAIChat sends content ""
    second = await llm.complete(LLMRequest(messages, max_tokens=12))
    assert second.text.strip()
    await llm.aclose()
