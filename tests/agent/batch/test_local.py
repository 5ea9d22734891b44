"""`run_batch` in one process: answers and findings per line, failures as error lines, bounded concurrency, resuming."""

from __future__ import annotations

import pytest

from agent.batch import BatchConfig, ItemRunner, run_batch
from tests.agent.batch._fixtures import ORCHESTRATIONS, InFlight, keyword_agent, price_of, read_jsonl, write_jsonl

KEYS = ["id", "calls", "findings", "answer", "figures", "usage", "error", "seconds"]


def config(**kw) -> BatchConfig:
    kw.setdefault("agent_factory", keyword_agent)
    return BatchConfig(orchestrations=ORCHESTRATIONS, tools=[price_of], **kw)


def test_questions_and_direct_calls_get_one_full_line_each(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [
        {"id": "q", "question": "What is the price of AAA and BBB?"},
        {"id": "c", "orchestration": "quote", "arguments": {"symbol": "CCC"}},
        {"id": "t", "question": "hello"},
    ])
    summary = run_batch(inp, out, config())
    assert summary.ok and (summary.items, summary.ran, summary.skipped) == (3, 3, 0)
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert all(list(r) == KEYS for r in rows.values())
    q, c, t = rows["q"], rows["c"], rows["t"]
    assert q["calls"] == [{"name": "quote", "arguments": {"symbol": "AAA"}}, {"name": "quote", "arguments": {"symbol": "BBB"}}]
    assert {f["text"] for f in q["findings"]} == {"AAA trades at 10.00.", "BBB trades at 20.00."}
    assert q["answer"].startswith("Analysed ") and q["figures"]["total"] >= 0 and q["usage"]["requests"] == 2
    # a direct call is answered by the same driver, with no routing request
    assert c["calls"] == [{"name": "quote", "arguments": {"symbol": "CCC"}}]
    assert [f["text"] for f in c["findings"]] == ["CCC trades at 30.00."]
    assert c["answer"].startswith("Analysed ") and c["usage"]["requests"] == 1
    assert t["calls"] == [] and t["answer"] == "I only know prices." and t["findings"] == []
    assert all(r["error"] is None and r["seconds"] > 0 for r in rows.values())
    assert summary.llm_requests == 4


def test_findings_only_runs_direct_calls_with_no_model_and_routes_questions(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": i, "orchestration": "quote", "arguments": {"symbol": s}} for i, s in enumerate(["AAA", "BBB"])])

    def no_model():
        raise AssertionError("a findings-only run of direct calls must not build the model")

    summary = run_batch(inp, out, config(agent_factory=no_model, findings_only=True))
    rows = read_jsonl(out)
    assert summary.ok and all("answer" not in r for r in rows)
    assert [(r["id"], r["findings"][0]["text"], r["usage"]["requests"], r["figures"]) for r in rows] == [
        (0, "AAA trades at 10.00.", 0, None), (1, "BBB trades at 20.00.", 0, None)]
    write_jsonl(inp, [{"id": "q", "question": "price of BBB"}])
    run_batch(inp, tmp_path / "q.jsonl", config(findings_only=True))
    (row,) = read_jsonl(tmp_path / "q.jsonl")
    assert row["calls"] == [{"name": "quote", "arguments": {"symbol": "BBB"}}] and row["usage"]["requests"] == 1
    assert row["findings"][0]["text"] == "BBB trades at 20.00." and "answer" not in row


@pytest.mark.parametrize("findings_only", [False, True])
def test_a_failing_item_is_an_error_line_and_the_run_goes_on(tmp_path, findings_only):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": "bad", "orchestration": "boom", "arguments": {"reason": "disk on fire"}},
                      {"id": "missing", "orchestration": "quote", "arguments": {"symbol": "ZZZ"}},
                      {"id": "good", "orchestration": "quote", "arguments": {"symbol": "AAA"}}])
    summary = run_batch(inp, out, config(findings_only=findings_only))
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert set(rows) == {"bad", "missing", "good"} and rows["good"]["error"] is None
    if findings_only:  # no driver: a broken data step is the item's error
        assert rows["bad"]["error"] == "boom failed: RuntimeError: disk on fire" and summary.errors == 1
    else:  # the driver reports a broken data step as missing data and still answers
        assert rows["bad"]["error"] is None and rows["bad"]["answer"]
    assert rows["missing"]["findings"][0]["text"] == "No price for ZZZ."


def test_a_model_that_fails_makes_error_lines_not_a_crash(tmp_path):
    from agent import Agent
    from agent.testing import ScriptedLLM
    from tests.agent.batch._fixtures import Quote

    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": 1, "question": "price of AAA"}])
    broken = lambda: Agent(ScriptedLLM([RuntimeError("backend on fire")]), orchestrations=[Quote], tools=[price_of])  # noqa: E731
    summary = run_batch(inp, out, config(agent_factory=broken))
    (row,) = read_jsonl(out)
    assert row["error"] == "RuntimeError: backend on fire" and row["answer"] is None and summary.errors == 1


@pytest.mark.parametrize("concurrency", [1, 3])
def test_at_most_concurrency_items_are_in_flight(tmp_path, concurrency):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": i, "orchestration": "quote", "arguments": {"symbol": "AAA"}} for i in range(9)])
    InFlight.reset()
    run_batch(inp, out, config(findings_only=True, concurrency=concurrency))
    assert InFlight.peak == concurrency
    assert sorted(r["id"] for r in read_jsonl(out)) == list(range(9))


def test_a_second_run_skips_what_is_done_and_runs_what_is_new(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": "a", "question": "price of AAA"}, "oops"])
    first = run_batch(inp, out, config())
    assert (first.ran, [str(b) for b in first.bad_lines], first.ok) == (1, ["line 2: not valid JSON: Expecting value at column 1"], False)
    write_jsonl(inp, [{"id": "a", "question": "price of AAA"}, {"id": "b", "question": "price of BBB"}])
    second = run_batch(inp, out, config())
    assert (second.skipped, second.ran, second.ok) == (1, 1, True)
    assert [r["id"] for r in read_jsonl(out)] == ["a", "b"]
    assert "1 items run" in second.text() and "1 already in" in second.text()


def test_retry_errors_runs_failed_items_again_and_keeps_one_line_per_id(tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": "a", "question": "price of AAA"}, {"id": "b", "orchestration": "boom"}])
    assert run_batch(inp, out, config(findings_only=True)).errors == 1
    write_jsonl(inp, [{"id": "a", "question": "price of AAA"}, {"id": "b", "orchestration": "quote", "arguments": {"symbol": "BBB"}}])
    again = run_batch(inp, out, config(findings_only=True), retry_errors=True)
    assert (again.retried, again.ran, again.skipped, again.errors) == (1, 1, 1, 0)
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["a", "b"] and rows[1]["findings"][0]["text"] == "BBB trades at 20.00."


def test_the_agent_is_built_once_per_worker(tmp_path):
    built = []

    def factory():
        built.append(1)
        return keyword_agent()

    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": i, "question": "price of AAA"} for i in range(5)])
    run_batch(inp, out, config(agent_factory=factory, concurrency=2))
    assert len(built) == 1 and len(read_jsonl(out)) == 5


def test_bad_configuration_is_a_clear_error():
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        BatchConfig(concurrency=0)
    with pytest.raises(TypeError, match="not an Agent"):
        ItemRunner(BatchConfig(agent_factory=lambda: "agent"))


def test_max_tokens_caps_every_answer_request_and_not_the_routing(tmp_path):
    from agent import Agent
    from tests.agent.batch._fixtures import KeywordLLM, Quote

    seen = []

    class Recording(KeywordLLM):
        async def complete(self, request):
            seen.append((bool(request.tools), request.max_tokens))
            return await super().complete(request)

    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": 1, "question": "price of AAA"}, {"id": 2, "orchestration": "quote", "arguments": {"symbol": "BBB"}}])
    factory = lambda: Agent(Recording(), orchestrations=[Quote], tools=[price_of])  # noqa: E731
    assert run_batch(inp, out, config(agent_factory=factory, max_tokens=7)).ok
    assert sorted(seen, key=str) == [(False, 7), (False, 7), (True, None)]


def test_timeout_reaches_the_openai_backend_and_max_tokens_the_analysis_model(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    agent = BatchConfig(backend="openai", base_url="http://127.0.0.1:9/v1", timeout=300, max_tokens=50).make_agent()
    assert (agent.llm.client.timeout, agent.llm.deadline) == (300, 600)
    assert agent.analysis_llm.max_tokens == 50 and agent.analysis_llm.inner is agent.llm


def test_a_direct_call_the_agent_does_not_offer_is_an_error_line(tmp_path):
    from agent import Agent
    from tests.agent.batch._fixtures import KeywordLLM, Quote

    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(inp, [{"id": 1, "orchestration": "boom"}, {"id": 2, "orchestration": "quote", "arguments": {"symbol": "AAA"}}])
    only_quote = lambda: Agent(KeywordLLM(), orchestrations=[Quote], tools=[price_of])  # noqa: E731
    run_batch(inp, out, config(agent_factory=only_quote))
    rows = {r["id"]: r for r in read_jsonl(out)}
    assert rows[1]["error"] == "ValueError: the agent does not offer 'boom'; it offers quote" and rows[2]["error"] is None


def test_without_ray_installed_a_ray_run_says_how_to_get_it(tmp_path, monkeypatch):
    import sys

    from agent.batch import RayOptions

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    inp = tmp_path / "in.jsonl"
    write_jsonl(inp, [{"id": 1, "question": "price of AAA"}])
    with pytest.raises(RuntimeError, match=r"pip install 'finagent\[ray\]'"):
        run_batch(inp, tmp_path / "out.jsonl", config(), ray=RayOptions())
