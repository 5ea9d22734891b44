"""Composed answers with the REAL embedded model: verdicts first, then whole clauses, each at most
once, opened by nothing or by a connective; the model makes every choice."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("llama_cpp")

from agent.llm import LLMRequest, Message  # noqa: E402
from agent.llm._local.compose import ComposedConstraint  # noqa: E402
from agent.llm.llamacpp import LlamaCppChat  # noqa: E402
from tests.agent.llm.embedded import EMBEDDED_MODEL  # noqa: E402

pytestmark = EMBEDDED_MODEL
VERDICTS = ["JPM is ahead on 3 of the 4 measures compared", "The Financials index returned -4.79% over the lookback"]
FACTS = ["P/E: JPM 11.22 vs BAC 7.89 (better: BAC)", "The index level is 95.21", "JPM's net margin is 31.37%",
         "3 of the 5 members rose over the lookback"]
CONNECTIVES = ["However,", "Also,"]


@pytest.fixture(scope="module")
def llm():
    return LlamaCppChat(n_threads=2)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[a-z%)\d])\.(?:\s+|$)", text) if s.strip()]


def strip_connective(sentence: str) -> str:
    for word in CONNECTIVES:
        if sentence.startswith(word + " "):
            rest = sentence[len(word) + 1:]
            return rest[0].upper() + rest[1:]
    return sentence


def walk(llm, text: str, **options) -> ComposedConstraint | None:
    """Feed `text` token by token as the answer would be written; None where the rule refuses it."""
    runner = llm._loaded.runner
    constraint = ComposedConstraint(runner, VERDICTS + FACTS, CONNECTIVES, verdicts=2, **options)
    written = b""
    target = text.encode()
    while written != target:
        forced = constraint.forced()
        if forced:
            piece = b"".join(runner.piece(t) for t in forced)
            if not target.startswith(written + piece):
                return None
            constraint.accept(forced)
            written += piece
            continue
        constraint._start()
        fitting = [o for o in constraint.live if target.startswith(written + runner.piece(o[2][constraint.k]))]
        if not fitting:
            return None
        token = max((o[2][constraint.k] for o in fitting), key=lambda t: len(runner.piece(t)))  # the longest piece that fits
        constraint.accept([token])
        written += runner.piece(token)
    return constraint


def test_the_verdicts_open_the_answer_then_clauses_whole_with_connectives(llm):
    ok = ("The Financials index returned -4.79% over the lookback. JPM is ahead on 3 of the 4 measures compared. "
          "However, P/E: JPM 11.22 vs BAC 7.89 (better: BAC). Also, the index level is 95.21.")
    assert walk(llm, ok) is not None
    assert walk(llm, "P/E: JPM 11.22 vs BAC 7.89 (better: BAC).") is None            # a fact before the verdicts
    assert walk(llm, "JPM is ahead on 3 of the 4 measures compared. However,") is None  # no connective before the verdicts end
    assert walk(llm, "JPM is ahead on 3 of the 5 measures compared.") is None          # a figure changed
    assert walk(llm, "JPM is ahead on 3 of the 4 measures compared. The Financials index returned -4.79% over the "
                     "lookback. JPM is ahead on 3 of the 4 measures compared.") is None  # a clause twice
    assert walk(llm, VERDICTS[0] + ". " + VERDICTS[1] + ". BAC's net margin is 31.37%.") is None  # a figure under another label
    assert walk(llm, VERDICTS[0] + ". " + VERDICTS[1] + ". Also, the index level is 95.21. Also, P/E: JPM 11.22 vs BAC "
                     "7.89 (better: BAC).") is None  # a connective twice


def test_it_may_end_after_the_minimum_and_must_end_at_the_maximum(llm):
    two = walk(llm, VERDICTS[0] + ". " + VERDICTS[1] + ".", max_clauses=3)
    assert two is not None and not two.done() and two._may_end()
    three = walk(llm, VERDICTS[0] + ". " + VERDICTS[1] + ". The index level is 95.21.", max_clauses=3)
    assert three is not None and three.done()


def test_a_third_clause_of_one_template_is_not_offered(llm):
    ranks = ["KO ranks 1 of 6 on net margin among its peers", "KO ranks 3 of 6 on cheapness among its peers",
             "KO ranks 5 of 6 on revenue among its peers", "KO's net margin is 22.19%"]
    constraint = ComposedConstraint(llm._loaded.runner, ranks, [], max_clauses=4)
    text = ranks[0] + ". " + ranks[1] + "."
    runner = llm._loaded.runner
    for sentence in (ranks[0] + ".", " " + ranks[1] + "."):
        constraint.accept(runner.tokenize(sentence))
    offered = {i for _, i, _ in constraint._options()}
    assert offered == {3}, text  # "ranks of on ... among its peers" a third time: not offered; the other fact is


def test_no_clause_is_started_that_the_token_cap_would_cut(llm):
    runner = llm._loaded.runner
    first = len(runner.tokenize(VERDICTS[0] + "."))
    constraint = ComposedConstraint(runner, VERDICTS + FACTS, CONNECTIVES, verdicts=1, budget=first + 3)
    assert [i for _, i, _ in constraint._options()] == [0]  # the verdict fits
    constraint.accept(runner.tokenize(VERDICTS[0] + "."))
    assert constraint._options() == [] and constraint.done()  # 3 tokens left: no clause, nor a connective, fits


async def test_the_model_composes_an_answer_from_the_clauses(llm):
    request = LLMRequest([Message.user("Question: Compare JPM and BAC.\n\nAnswer in a few sentences from the data.")],
                         tool_choice="none", clauses=VERDICTS + FACTS, verdicts=2, connectives=CONNECTIVES, max_tokens=200)
    text = (await llm.complete(request)).text
    written = [strip_connective(s) for s in sentences(text)]
    assert set(written[:2]) == set(VERDICTS), text                   # the verdicts first, in the model's order
    assert len(written) >= 2 and len(set(written)) == len(written), text
    lowered = {c[0].lower() + c[1:] for c in FACTS}
    assert all(s in VERDICTS + FACTS or s in lowered or s[0].lower() + s[1:] in lowered for s in written), text


def test_a_name_keeps_its_capital_after_a_connective(llm):
    from agent.llm._local.compose import _after_connective, _names

    names = _names(["Shares of Berkshire rose", "P/E: JPM 11.22"])
    assert _after_connective("The index rose", names) == "the index rose"
    assert _after_connective("Berkshire rose", names) == "Berkshire rose"
    assert _after_connective("JPM is ahead", names) == "JPM is ahead"
