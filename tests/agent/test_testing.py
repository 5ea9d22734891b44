import pytest

from agent.llm import LLMRequest, Message
from agent.testing import ScriptedLLM, UnexpectedCallError, call


def req(text="hi"):
    return LLMRequest([Message.user(text)])


async def test_replies_in_order_and_records_requests():
    llm = ScriptedLLM(["one", call("t", {"a": 1}), lambda r: f"echo {r.messages[-1].content}"])
    assert (await llm.complete(req())).text == "one"
    assert (await llm.complete(req())).tool_calls[0].parsed_arguments() == {"a": 1}
    assert (await llm.complete(req("x"))).text == "echo x"
    assert len(llm.requests) == 3
    llm.assert_complete()


async def test_unexpected_extra_call_raises():
    llm = ScriptedLLM(["only"])
    await llm.complete(req())
    with pytest.raises(UnexpectedCallError, match="unexpected LLM call #2"):
        await llm.complete(req("again"))


async def test_unused_replies_fail_assert_complete():
    llm = ScriptedLLM(["a", "b"])
    await llm.complete(req())
    with pytest.raises(AssertionError, match="1 scripted replies were not used"):
        llm.assert_complete()


async def test_exceptions_are_raised_and_streaming_splits_words():
    llm = ScriptedLLM([RuntimeError("boom"), "two words"])
    with pytest.raises(RuntimeError):
        await llm.complete(req())
    chunks = [c async for c in llm.stream(req())]
    assert [c.delta for c in chunks[:-1]] == ["two ", "words"] and chunks[-1].response.text == "two words"
