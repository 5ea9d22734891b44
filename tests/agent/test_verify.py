"""The driver traces every answer's figures (FiguresChecked) and can ask once for a rewrite."""

from agent import Agent
from agent import load_defaults
from agent.events import FiguresChecked, FinalAnswer
from agent.testing import ScriptedLLM, call

load_defaults()
ROUTE = call("financial_health_assessment", {"symbol": "JNJ"})
QUESTION = "How financially healthy is Johnson & Johnson (JNJ)?"


async def figures_of(text: str) -> list[str]:
    reply = await Agent(ScriptedLLM([ROUTE, text])).achat(QUESTION)
    return reply.findings, [f["figure"] for f in reply.figures["traced"]], reply.figures["untraced"]


async def test_every_answer_is_checked_against_the_findings():
    findings, _, _ = await figures_of("placeholder")
    current = next(f for f in findings if "current ratio" in f["text"])
    ratio = current["figures"][0]
    _, traced, untraced = await figures_of(f"JNJ's current ratio is {ratio}, but its P/E is 42.42.")
    assert traced == [ratio] and untraced == ["42.42"]


async def test_the_check_is_an_event_and_in_the_json():
    llm = ScriptedLLM([ROUTE, "JNJ looks healthy; its sector median P/E is 17.53."])
    agent = Agent(llm)
    events = [e async for e in agent.astream(QUESTION)]
    checks = [e for e in events if isinstance(e, FiguresChecked)]
    assert len(checks) == 1 and checks[0].untraced == ["17.53"] and not checks[0].ok
    assert events.index(checks[0]) < next(i for i, e in enumerate(events) if isinstance(e, FinalAnswer))
    out = agent.session.last_reply.to_dict()
    assert out["figures"]["untraced"] == ["17.53"] and out["figures"]["summary"].startswith("1 of 1 figures not traced")
    assert out["findings"] and all({"text", "figures", "source"} <= set(f) for f in out["findings"])
    assert any(e["type"] == "FiguresChecked" for e in agent.session.last_reply.trace())


async def test_rewrite_untraced_asks_once_and_the_rewrite_is_the_answer():
    findings, _, _ = await figures_of("placeholder")
    roe = next(f for f in findings if "return on equity" in f["text"])["figures"][0]
    llm = ScriptedLLM([ROUTE, "JNJ's P/E is -42.33.", f"JNJ's return on equity is {roe}."])
    reply = await Agent(llm, rewrite_untraced=True).achat(QUESTION)
    assert reply.text == f"JNJ's return on equity is {roe}." and reply.llm_calls == 3
    rewrite = llm.requests[2]
    assert rewrite.messages[-2].content == "JNJ's P/E is -42.33." and "42.33" in rewrite.messages[-1].content
    assert rewrite.figures == llm.requests[1].figures and rewrite.figures
    checks = [e for e in reply.events if isinstance(e, FiguresChecked)]
    assert [c.ok for c in checks] == [False, True] and checks[1].rewritten == reply.text
    assert reply.figures["ok"] and reply.figures["rewritten"] == reply.text


async def test_a_traced_answer_is_not_rewritten():
    llm = ScriptedLLM([ROUTE, "JNJ has no figure-free problems."])
    reply = await Agent(llm, rewrite_untraced=True).achat(QUESTION)
    assert reply.llm_calls == 2 and reply.figures["total"] == 0
    llm.assert_complete()


async def test_rewrite_untraced_also_covers_a_figure_on_the_wrong_measure():
    findings, _, _ = await figures_of("placeholder")
    cover = next(f for f in findings if "interest" in f["text"])["figures"][0]
    wrong = f"JNJ's net margin is {cover}."
    right = f"JNJ's operating income covers its interest {cover} times."
    llm = ScriptedLLM([ROUTE, wrong, right])
    reply = await Agent(llm, rewrite_untraced=True).achat(QUESTION)
    asked = llm.requests[2].messages[-1].content
    assert f"{cover} (attached to the wrong measure: it is JNJ interest coverage)" in asked
    checks = [e for e in reply.events if isinstance(e, FiguresChecked)]
    assert [c.ok for c in checks] == [False, True] and checks[0].flagged[0]["problem"] == "wrong_measure"
    assert reply.text == right and reply.figures["summary"] == "1 figure, traced and attributed"
