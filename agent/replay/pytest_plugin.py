"""pytest plugin (entry point `finagent_replay`): the `cassette` fixture and `--record-mode`.

    def test_jpm(cassette):
        agent = Agent(cassette.wrap_llm(make_llm_or_none()), tool_executor=cassette.tool_executor)
        ...

The cassette lives at `<test dir>/cassettes/<module>/<test name>.json` (override the folder with a
`cassette_dir` fixture, or the file with `@pytest.mark.cassette("path", **Cassette options)`; a
relative path is taken from the test file's folder). `--record-mode=replay|record|once` (or the
`finagent_record_mode` ini option; default replay). After a passing test, strict replay checks
run in the test's call phase, so an unmatched request or an unused recording fails the test. A
recording is written only when the test passed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

import pytest

from ._cassette import Cassette, Mode

__all__ = ["cassette", "cassette_dir", "cassette_record_mode"]

_CASSETTE = pytest.StashKey[Cassette]()
_FAILED = pytest.StashKey[bool]()
MODES = ("replay", "record", "once")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("finagent-replay", "record/replay of agent runs")
    group.addoption(
        "--record-mode", choices=MODES, default=None, dest="finagent_record_mode",
        help="cassette mode for the `cassette` fixture: replay (default), record or once",
    )
    parser.addini("finagent_record_mode", "default cassette mode (replay, record or once)", default="replay")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "cassette(path=None, **options): cassette file for the `cassette` fixture, and Cassette options",
    )


@pytest.fixture
def cassette_record_mode(request: pytest.FixtureRequest) -> str:
    mode = request.config.getoption("finagent_record_mode") or request.config.getini("finagent_record_mode") or "replay"
    if mode not in MODES:
        raise pytest.UsageError(f"finagent_record_mode must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


@pytest.fixture
def cassette_dir(request: pytest.FixtureRequest) -> Path:
    """Folder of this module's cassettes (override in a conftest to store them elsewhere)."""
    return request.path.parent / "cassettes" / request.path.stem


@pytest.fixture
def cassette(request: pytest.FixtureRequest, cassette_dir: Path, cassette_record_mode: str):
    """A `Cassette` named after the test; strict checks after the test, saved (record) if it passed."""
    marker = request.node.get_closest_marker("cassette")
    options: dict[str, Any] = dict(marker.kwargs) if marker else {}
    given = (marker.args[0] if marker and marker.args else None) or options.pop("path", None)
    options.pop("path", None)
    if given is not None:
        path = Path(given)
        path = path if path.is_absolute() else request.path.parent / path
    else:
        path = Path(cassette_dir) / f"{_safe(request.node.name)}.json"
    mode = options.pop("mode", None) or cassette_record_mode
    c = Cassette(path, mode=cast(Mode, mode), **options)
    request.node.stash[_CASSETTE] = c
    yield c
    c.close(check=False, save=not request.node.stash.get(_FAILED, False))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item):
    try:
        result = yield
    except BaseException:
        item.stash[_FAILED] = True
        raise
    c = item.stash.get(_CASSETTE, None)
    if c is not None:
        try:
            c.assert_complete()
        except BaseException:
            item.stash[_FAILED] = True
            raise
    return result


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "test"
