"""Prompt prefixes kept on disk with the REAL embedded model: a shared prefix is written once, a
later prompt restores it instead of evaluating it, with the same logits; a bad file costs nothing."""

from __future__ import annotations

import logging

import numpy as np
import pytest

pytest.importorskip("llama_cpp")

from agent.llm._local.prompt_store import ENV, MIN_TOKENS, PromptStore, default_prompt_store  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat, default_model_path  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL


@pytest.fixture
def runner(tmp_path):
    runner = LlamaCppChat(n_threads=2)._loaded.runner
    kept = runner.store
    runner.store = PromptStore(tmp_path, default_model_path(), runner.llama.n_ctx())
    runner.truncate(0)
    yield runner
    runner.store = kept
    runner.truncate(0)


def prompts(runner):
    prefix = runner.tokenize("You are a helpful assistant. " * 60)
    assert len(prefix) > MIN_TOKENS
    paris, oslo = prefix + runner.tokenize(" Weather in Paris?"), prefix + runner.tokenize(" Weather in Oslo?")
    shared = next(i for i, (a, b) in enumerate(zip(paris, oslo)) if a != b)
    return paris, oslo, shared


def fed(runner, monkeypatch) -> list[int]:
    sizes: list[int] = []
    feed = runner.feed
    monkeypatch.setattr(runner, "feed", lambda tokens: (sizes.append(len(tokens)), feed(tokens))[1])
    return sizes


def test_a_shared_prefix_is_kept_then_restored_instead_of_evaluated(runner, monkeypatch):
    paris, oslo, shared = prompts(runner)
    store = runner.store
    runner.prefill(paris)
    assert not store.lengths  # one prompt says nothing of what is stable
    runner.prefill(oslo)
    assert list(store.lengths.values()) == [shared]  # two prompts in a row share it: kept
    expected = runner.logits().copy()

    runner.truncate(0)  # as a new process: nothing cached in memory
    sizes = fed(runner, monkeypatch)
    runner.prefill(oslo)
    assert sizes == [len(oslo) - shared]  # only the part after the kept prefix is evaluated
    assert np.allclose(runner.logits(), expected, atol=1e-3)


def test_a_prefix_a_kept_one_already_starts_is_not_kept_again(runner):
    paris, oslo, shared = prompts(runner)
    runner.prefill(paris)
    runner.prefill(oslo)
    longer = oslo + runner.tokenize(" And tomorrow?")
    runner.prefill(longer)
    runner.prefill(longer[:-2] + runner.tokenize(" Then?"))
    assert list(runner.store.lengths.values()) == [shared]


def test_a_broken_file_is_dropped_and_the_prompt_evaluated(runner, monkeypatch, caplog):
    paris, oslo, shared = prompts(runner)
    runner.prefill(paris)
    runner.prefill(oslo)
    (name,) = runner.store.lengths
    (runner.store.folder / name).write_bytes(b"not a llama.cpp state")
    runner.truncate(0)
    sizes = fed(runner, monkeypatch)
    with caplog.at_level(logging.WARNING):
        runner.prefill(paris)
    assert "did not load" in caplog.text and not runner.store.lengths
    assert sizes == [len(paris)] and runner.n_tokens == len(paris)


def test_the_environment_names_the_folder_or_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, str(tmp_path))
    store = default_prompt_store(default_model_path(), 4096)
    assert store is not None and store.folder.parent == tmp_path
    assert default_prompt_store(default_model_path(), 2048).folder != store.folder  # another context size, another folder
    monkeypatch.setenv(ENV, "off")
    assert default_prompt_store(default_model_path(), 4096) is None
