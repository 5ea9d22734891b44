import pytest

from tests.fmp_stub import FakeFMP
from tests.http_stub import StubServer


@pytest.fixture
def stub_server():
    """A real HTTP server on 127.0.0.1 answering from a script; always stopped after the test."""
    with StubServer() as server:
        yield server


@pytest.fixture
def fmp_server():
    """A fake FMP API on 127.0.0.1; always stopped after the test."""
    fake = FakeFMP()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def pytest_configure(config):
    """The tests keep the model's calibrations in a file of their own, never in ~/.finagent."""
    import os
    import tempfile

    os.environ.setdefault("FINAGENT_CALIBRATIONS", os.path.join(tempfile.mkdtemp(prefix="finagent-tests-"), "calibrations.json"))
    os.environ.setdefault("FINAGENT_PROMPT_CACHE", os.path.join(tempfile.mkdtemp(prefix="finagent-tests-"), "prompt-cache"))
