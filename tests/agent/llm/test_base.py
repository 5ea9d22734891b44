"""BaseLLM's defaults and WrapperLLM's delegation: the whole LLM contract, no getattr forwarding."""

from __future__ import annotations

from agent.llm import DEFAULT_CONTEXT_WINDOW, LLM, BaseLLM, LLMRequest, LLMResponse, Message, WrapperLLM
from agent.testing import ScriptedLLM


class Echo(BaseLLM):
    model = "echo"

    def __init__(self) -> None:
        self.closed = 0

    async def complete(self, request: LLMRequest) -> LLMResponse:
        return LLMResponse(Message.assistant(f"echo: {request.messages[-1].content}"))

    async def aclose(self) -> None:
        self.closed += 1


class Shouting(WrapperLLM):
    async def complete(self, request: LLMRequest) -> LLMResponse:
        response = await super().complete(request)
        return LLMResponse(Message.assistant(response.text.upper()))


async def test_a_backend_that_only_completes_gets_the_rest_of_the_contract():
    llm = Echo()
    assert isinstance(llm, LLM)
    assert llm.context_window == DEFAULT_CONTEXT_WINDOW and llm.base_url is None
    chunks = [c async for c in llm.stream(LLMRequest([Message.user("hi")]))]
    assert [c.delta for c in chunks[:-1]] == ["echo: hi"] and chunks[-1].response.text == "echo: hi"


async def test_a_wrapper_delegates_the_contract_and_overrides_what_differs():
    inner = Echo()
    inner.context_window = 1234
    inner.base_url = "http://127.0.0.1:9/v1"
    llm = Shouting(inner)
    assert (llm.model, llm.context_window, llm.base_url) == ("echo", 1234, "http://127.0.0.1:9/v1")
    assert (await llm.complete(LLMRequest([Message.user("hi")]))).text == "ECHO: HI"
    streamed = [c async for c in llm.stream(LLMRequest([Message.user("hi")]))]
    assert streamed[-1].response.text == "echo: hi"  # stream was not overridden: the inner one
    await llm.aclose()
    assert inner.closed == 1


async def test_scripted_llm_is_a_base_llm():
    llm = ScriptedLLM(["ok"])
    assert isinstance(llm, BaseLLM) and isinstance(llm, LLM)
    await llm.aclose()
