import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # test helpers (http_stub) importable from every test

from http_stub import StubServer  # noqa: E402


@pytest.fixture
def stub_server():
    """A real HTTP server on 127.0.0.1 answering from a script; always stopped after the test."""
    with StubServer() as server:
        yield server
