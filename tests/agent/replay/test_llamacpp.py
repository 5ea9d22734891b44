"""The local llama.cpp backend goes through the same wrapper: record with the real model, replay without it."""

from __future__ import annotations

import sys

import pytest

from agent.llm import LLMError, LLMRequest, Message
from agent.replay import Cassette

pytestmark = pytest.mark.local_model


@pytest.fixture(scope="module")
def local_llm():
    llamacpp = pytest.importorskip("agent.llm.llamacpp")
    try:
        return llamacpp.LlamaCppChat(n_ctx=1024)
    except (LLMError, ImportError) as e:
        pytest.skip(f"no local model: {e}")


async def test_record_with_the_real_local_model_then_replay_without_it(tmp_path, local_llm, monkeypatch):
    path = tmp_path / "local.json"
    request = LLMRequest([Message.user("Say hello in three words.")], tool_choice="none", max_tokens=8)
    cassette = Cassette(path, mode="record")
    llm = cassette.wrap_llm(local_llm)
    answer = await llm.complete(request)
    chunks = [c async for c in llm.stream(request)]
    cassette.close()

    import agent.llm.llamacpp as llamacpp

    def unavailable(*args, **kwargs):
        raise AssertionError("the local model was used during a replay")

    monkeypatch.setattr(llamacpp, "LlamaCppChat", unavailable)
    monkeypatch.setattr(llamacpp, "load_model", unavailable)
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # importing llama_cpp now fails
    cassette = Cassette(path, mode="replay")
    replay = cassette.wrap_llm(None)
    assert replay.model == local_llm.model and replay.context_window == 1024
    assert (await replay.complete(request)).to_dict() == answer.to_dict()
    replayed = [c async for c in replay.stream(request)]
    cassette.close()
    assert [c.delta for c in replayed] == [c.delta for c in chunks]
    assert replayed[-1].response.to_dict() == chunks[-1].response.to_dict()
