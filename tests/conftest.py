import pytest

from tests.http_stub import StubServer


@pytest.fixture
def stub_server():
    """A real HTTP server on 127.0.0.1 answering from a script; always stopped after the test."""
    with StubServer() as server:
        yield server
