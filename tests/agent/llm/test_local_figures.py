"""The figures grammar with the REAL embedded model: a number not in the data cannot be decoded."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_cpp")
pytest.importorskip("llguidance")

from agent.figures import find_figures  # noqa: E402
from agent.llm import LLMRequest, Message  # noqa: E402
from agent.llm._local.figures import figures_constraint, figures_lark  # noqa: E402
from agent.llm._local.prompt import chat_messages  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL, pinned_choice  # noqa: E402

pytestmark = EMBEDDED_MODEL
ALLOWED = ["11.22", "7.89", "398.15B", "2023-10-27"]
COPY = "Repeat this sentence exactly: JPM's P/E ratio is 42.33 and its market cap is 512.7B."


@pytest.fixture(scope="module")
def llm():
    return LlamaCppChat(n_threads=2)


def matcher_accepts(llm, text: str) -> bool:
    constraint = figures_constraint(llm.llama, llm._loaded.runner, ALLOWED)
    tokens = llm._loaded.runner.tokenize(text)
    return all(constraint.matcher.consume_token(t) for t in tokens) and constraint._complete()


def test_the_grammar_accepts_allowed_figures_and_refuses_others(llm):
    assert matcher_accepts(llm, "JPM's P/E is 11.22 against 7.89 for BAC, as of 2023-10-27; cap $398.15B.")
    assert not matcher_accepts(llm, "JPM's P/E is 42.33.")
    assert not matcher_accepts(llm, "JPM's P/E is 11.2.")          # a prefix of an allowed figure is not one
    assert not matcher_accepts(llm, "JPM's P/E is 11.227.")        # nor is an allowed figure with more digits
    assert not matcher_accepts(llm, "Ratios 7.89.11.22 joined.")   # figures cannot be glued into a new number
    assert not matcher_accepts(llm, "A cap of 11.22 billion.")     # nor given a magnitude they do not have
    assert not matcher_accepts(llm, "A cap of 11.22B.")
    assert not matcher_accepts(llm, "A cap of 398.15Boted.")       # a word glued to a figure changes how it reads
    assert matcher_accepts(llm, "A cap of 398.15B, a P/E of 11.22 Beyond that, 7.89 by Morgan.")
    assert matcher_accepts(llm, "No numbers at all.")
    assert "FIG" in figures_lark(ALLOWED) and "FIG" not in figures_lark([])


def _continue(llm, prefix: str, figures: list[str] | None) -> str:
    """Greedy continuation after `prefix` written as the start of the answer (forced), with or without the grammar."""
    runner = llm._loaded.runner
    prompt = llm._prompt_tokens(chat_messages([Message.user(COPY)]))
    forced = runner.tokenize(prefix)
    constraint = None
    if figures is not None:
        constraint = figures_constraint(llm.llama, runner, figures)
        constraint.accept(forced)
    with llm._loaded.lock:
        runner.prefill(prompt + forced)
        return runner.generate(12, constraint=constraint).text


def test_the_model_writes_the_invented_figure_without_the_grammar_and_an_allowed_one_with_it(llm):
    prefix = "JPM's P/E ratio is "
    free = _continue(llm, prefix, None)
    assert free.startswith("42"), free  # the model copies the figure the data does not hold
    constrained = _continue(llm, prefix, ALLOWED)
    figures = [f.text for f in find_figures(prefix + constrained)]
    assert figures and figures[0] in ALLOWED, constrained
    assert "42" not in constrained


async def test_a_text_request_with_figures_only_writes_those_figures(llm):
    pinned_choice()
    request = LLMRequest([Message.user(COPY)], tool_choice="none", max_tokens=40, figures=ALLOWED)
    response = await llm.complete(request)
    written = [f.text for f in find_figures(response.text)]
    assert all(w in ALLOWED for w in written), (response.text, written)
    free = await llm.complete(LLMRequest([Message.user(COPY)], tool_choice="none", max_tokens=40))
    assert any(f.text not in ALLOWED for f in find_figures(free.text)), free.text  # without figures it invents


def test_request_figures_round_trip():
    request = LLMRequest([Message.user("x")], figures=["1.5%"])
    assert LLMRequest.from_dict(request.to_dict()).figures == ["1.5%"]
    assert "figures" not in LLMRequest([Message.user("x")]).to_dict()  # unset: the recorded form is unchanged
