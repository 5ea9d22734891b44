"""The pytest plugin (entry point `finagent_replay`) driven by pytester: record, then replay."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def inner_ini(pytester):
    """The inner runs' own ini (pytester's tmp dir has none): settled pytest-asyncio loop scope."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")

TEST = '''
from agent import Agent
from agent.testing import ScriptedLLM

QUESTION = {question!r}

def test_answer(cassette):
    llm = ScriptedLLM(["P/E is price over earnings."]) if cassette.recording else None
    agent = Agent(cassette.wrap_llm(llm), orchestrations=[], tools=[], tool_executor=cassette.tool_executor)
    assert agent.chat(QUESTION).text == "P/E is price over earnings."
'''

MARKED = '''
import pytest
from agent import Agent
from agent.testing import ScriptedLLM

@pytest.mark.cassette("recorded/custom.json")
def test_marked(cassette):
    llm = ScriptedLLM(["Hi."]) if cassette.recording else None
    assert Agent(cassette.wrap_llm(llm), orchestrations=[], tools=[]).chat("Hello").text == "Hi."
'''


def test_record_then_replay_then_detect_changes(pytester):
    pytester.makepyfile(test_pe=TEST.format(question="What is P/E?"))
    result = pytester.runpytest("--record-mode=replay", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)  # nothing recorded yet
    result.stdout.fnmatch_lines(["*no cassette at*record it first*"])

    pytester.runpytest("--record-mode=record").assert_outcomes(passed=1)
    path = pytester.path / "cassettes" / "test_pe" / "test_answer.json"
    data = json.loads(path.read_text())
    assert data["format_version"] == 1 and len(data["entries"]) == 1

    pytester.runpytest("--record-mode=replay").assert_outcomes(passed=1)
    pytester.runpytest().assert_outcomes(passed=1)  # replay is the default
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)  # the file exists: replayed

    pytester.makepyfile(test_pe=TEST.format(question="What is EV/EBITDA?"))
    result = pytester.runpytest("--record-mode=replay")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CassetteMismatchError*", "*-*What is P/E?*", "*+*What is EV/EBITDA?*"])
    assert json.loads(path.read_text()) == data  # a failed replay never rewrites the cassette


def test_unused_recordings_fail_the_test(pytester):
    pytester.makepyfile(test_pe=TEST.format(question="What is P/E?"))
    pytester.runpytest("--record-mode=record").assert_outcomes(passed=1)
    pytester.makepyfile(test_pe='''
def test_answer(cassette):
    cassette.wrap_llm(None)  # asks nothing
''')
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnusedRecordingsError*1 recordings*never requested*", "*What is P/E?*"])


def test_marker_path_and_options(pytester):
    pytester.makepyfile(test_marked=MARKED)
    pytester.runpytest("--record-mode=once").assert_outcomes(passed=1)
    assert (pytester.path / "recorded" / "custom.json").exists()
    pytester.runpytest("--record-mode=replay").assert_outcomes(passed=1)


def test_a_failing_test_does_not_write_its_recording(pytester):
    pytester.makepyfile(test_fail='''
from agent.testing import ScriptedLLM
from agent.llm import LLMRequest, Message

async def _ask(llm):
    return await llm.complete(LLMRequest([Message.user("hi")]))

def test_x(cassette):
    import asyncio
    asyncio.run(_ask(cassette.wrap_llm(ScriptedLLM(["hello"]))))
    assert False, "the test itself fails"
''')
    pytester.runpytest("--record-mode=record").assert_outcomes(failed=1)
    assert not (pytester.path / "cassettes" / "test_fail" / "test_x.json").exists()
