"""5. Planted keys never appear in output, logs, traces, exceptions or cassettes, failing or not."""

import json
import os
import subprocess
import sys

from tests.http_stub import Reply, completion, stream_events

OPENAI_SECRET = "sk-PLANTED-openai-5ecret-abcdef123456"
FMP_SECRET = "PLANTEDfmp5ecret987654"



def finagent(*args, env, cwd):
    full = {**os.environ, "OPENAI_API_KEY": OPENAI_SECRET, "FMP_API_KEY": FMP_SECRET, **env}
    return subprocess.run([sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, env=full, cwd=cwd, timeout=180)


def assert_clean(*texts):
    for text in texts:
        assert OPENAI_SECRET not in text and FMP_SECRET not in text


def test_succeeding_and_failing_paths_leak_no_key(stub_server, fmp_server, tmp_path):
    base = stub_server.url + "/v1"
    env = {"FMP_BASE_URL": fmp_server.base}
    fmp_server.route("quote", (401, {"Error Message": f"Invalid API KEY {FMP_SECRET}"}, {}, 0.0))
    outputs = []
    # a succeeding ask, recorded, with debug logs
    stub_server.add(Reply(body=completion(tool_calls=[("financial_health_assessment", {"symbol": "JPM"})])),
                    Reply(sse=stream_events("JPM looks solid.")))
    cassette = tmp_path / "run.json"
    ok = finagent("--debug", "ask", "How healthy is JPM?", "--backend", "openai", "--base-url", base, "--json",
                  "--record", str(cassette), env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    outputs += [ok.stdout, ok.stderr, cassette.read_text()]
    # a failing ask (500 storm whose body echoes the key), with debug logs
    stub_server.add(*[Reply(500, {"error": {"message": f"bad key {OPENAI_SECRET}"}}) for _ in range(8)])
    failed = finagent("--debug", "ask", "hi", "--backend", "openai", "--base-url", base, env=env, cwd=tmp_path)
    assert failed.returncode != 0
    outputs += [failed.stdout, failed.stderr]
    # the live data provider refusing the key, without and with --debug (traceback shown)
    for debug in ([], ["--debug"]):
        bad = finagent(*debug, "tool", "get_stock_price", '{"symbol": "AAPL"}', "--data", "fmp", env=env, cwd=tmp_path)
        assert bad.returncode != 0 and "key" in bad.stderr.lower()
        outputs += [bad.stdout, bad.stderr]
    files = [p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()]
    assert_clean(*outputs, *files)
    replayed = finagent("ask", "How healthy is JPM?", "--replay", str(cassette), "--json",
                        env={"OPENAI_API_KEY": "", "FMP_API_KEY": ""}, cwd=tmp_path)
    assert replayed.returncode == 0, replayed.stderr
    assert json.loads(replayed.stdout)["answer"] == json.loads(ok.stdout)["answer"] == "JPM looks solid."


async def test_traces_and_exceptions_in_process_leak_no_key(stub_server, caplog):
    import logging

    from agent import Agent
    from agent.llm.openai import OpenAIChat
    from tests.agent.conftest import Compare, quote

    caplog.set_level(logging.DEBUG)
    stub_server.add(*[Reply(503, {"error": {"message": OPENAI_SECRET}}) for _ in range(3)])
    llm = OpenAIChat("m", api_key=OPENAI_SECRET, base_url=stub_server.url + "/v1", max_retries=2, backoff=0.01)
    agent = Agent(llm, orchestrations=[Compare], tools=[quote])
    reply = await agent.achat("hello")
    assert not reply.ok
    assert_clean(json.dumps(reply.trace(), default=str), json.dumps(reply.to_dict(), default=str), repr(llm), caplog.text)
