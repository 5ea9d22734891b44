"""Record and replay agent runs: LLM requests and atomic-tool calls in one JSON cassette.

    cassette = Cassette("run.json", mode="record")        # or "replay" / "once"
    agent = Agent(cassette.wrap_llm(llm), tool_executor=cassette.tool_executor)
    ...
    cassette.close()                                       # record: write; replay: strict checks

A replay needs no network, model file or market data. The pytest plugin
(`agent.replay.pytest_plugin`) gives tests a `cassette` fixture and `--record-mode`.
"""

from core.redact import REDACTED, Redactor

from ._cassette import FORMAT_VERSION, Cassette
from ._errors import CassetteError, CassetteMismatchError, CassetteNotFoundError, UnusedRecordingsError
from ._llm import CassetteLLM

__all__ = [
    "Cassette", "CassetteLLM", "CassetteError", "CassetteMismatchError", "CassetteNotFoundError",
    "UnusedRecordingsError", "Redactor", "REDACTED", "FORMAT_VERSION",
]
