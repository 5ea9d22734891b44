"""Clause decoding with the REAL embedded model: a figure can only be written inside a clause of
the data, verbatim, once; the model connects clauses with its own words."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("llama_cpp")

from agent.llm import LLMRequest, Message  # noqa: E402
from agent.llm._local.clauses import ClauseConstraint  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL
CLAUSES = ["P/E: JPM 11.22 vs BAC 7.89 (better: BAC)", "JPM's net margin is 31.37%", "3 of the 5 members rose over the lookback",
           "JPM is ahead on 3 of the 4 measures compared", "The index level is 95.21"]


@pytest.fixture(scope="module")
def llm():
    return LlamaCppChat(n_threads=2)


def accepts(llm, text: str) -> bool:
    """The text is valid and may end here (no clause left after its first digit)."""
    constraint = ClauseConstraint(llm._loaded.runner, CLAUSES)
    state = constraint.advance(constraint.state, text.encode())
    return state is not None and not state.committed


def test_figures_only_inside_a_clause_written_whole(llm):
    assert accepts(llm, "JPM looks stronger. JPM's net margin is 31.37%, and P/E: JPM 11.22 vs BAC 7.89 (better: BAC).")
    assert accepts(llm, "No figures at all, only words.")
    assert not accepts(llm, "JPM's P/E is 11.22.")                       # a figure outside every clause
    assert not accepts(llm, "BAC's net margin is 31.37%.")               # the clause's figure under another subject
    assert not accepts(llm, "JPM's net margin is 31.37% and 2.5%.")       # arithmetic / a figure the data does not write
    assert not accepts(llm, "JPM's net margin is 31.3")                  # a clause left after its first digit...
    assert accepts(llm, "JPM's net margin is good")                      # ...but not before it: those are free words
    assert not accepts(llm, "JPM's net margin is 31.37%. JPM's net margin is 31.37%.")  # each clause once
    assert not accepts(llm, "JPM's net margin is 31.37%5")              # a figure glued to the clause's end
    assert not accepts(llm, "P/E: JPM 11.22 vs BAC 7.89 (better: BAC). Also 3 of the 5 members rose over the lookback B.")
    assert not accepts(llm, "The index level is 95.21 %.")               # a unit the clause does not have
    assert not accepts(llm, "The index level is 95.21 billion.")         # nor a magnitude
    assert not accepts(llm, "The index level is 95.21 B")
    assert accepts(llm, "The index level is 95.21. Banks did well.")
    assert accepts(llm, "Overall JPM is ahead on 3 of the 4 measures compared. Banks did well.")


def test_a_clause_that_opens_with_its_figure_starts_a_sentence(llm):
    assert accepts(llm, "The sector is mixed. 3 of the 5 members rose over the lookback.")
    # mid-sentence, "3 of the 5 members..." would attach the count to the words before it
    assert not accepts(llm, "JPM is ahead on 3 of the 5 members rose over the lookback.")
    assert accepts(llm, "Overall JPM is ahead on 3 of the 4 measures compared.")


def test_other_scripts_digits_are_refused_outside_clauses(llm):
    constraint = ClauseConstraint(llm._loaded.runner, CLAUSES)
    for text in ("³", "⅛", "٣"):
        assert constraint.advance(constraint.state, f"A ratio of {text}.".encode()) is None, text


async def test_the_model_answers_in_clauses(llm):
    request = LLMRequest([Message.user("Facts:\n" + "\n".join(f"- {c}." for c in CLAUSES) + "\n\nQuestion: Compare JPM and BAC.\n\n"
                                       "Answer in a few sentences, copying the facts word for word.")],
                         tool_choice="none", clauses=CLAUSES, max_tokens=160)
    text = (await llm.complete(request)).text
    figures = re.findall(r"\d+(?:\.\d+)?", text)
    assert figures, text
    stripped = text
    for clause in CLAUSES:
        assert text.count(clause) <= 1, text
        stripped = stripped.replace(clause, "")
    assert not re.search(r"\d", stripped), text   # every digit stood inside a clause


def test_the_embedded_model_composes_its_answers_by_default(llm):
    assert llm.answer_mode == "composed" and llm.composes  # a GGUF of your own (LlamaCppChat(path)) writes freely: "free"
