"""`finagent mcp --http` as a real subprocess on 127.0.0.1: the bearer key, the SDK client, `tools.mcp` over HTTP."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

from agent.mcp import exposure_warning
from tools import ToolError, ToolRunner
from tools.mcp import MCPTools

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.server
INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "0"}}}
ACCEPT = {"Accept": "application/json, text/event-stream"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MCPServerProcess:
    """`finagent mcp --http` on a free loopback port, its key given through the environment."""

    def __init__(self) -> None:
        self.port = free_port()
        self.key = "sk-test-" + secrets.token_hex(16)
        env = {**os.environ, "FINAGENT_API_KEY": self.key, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "mcp", "--http", "--port", str(self.port)],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.log = ""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"finagent mcp exited with {self.proc.returncode}: {self.proc.stdout.read().decode()[-2000:]}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("finagent mcp --http did not start listening")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log += self.proc.stdout.read().decode(errors="replace")
        return self.log


@pytest.fixture
def server():
    proc = MCPServerProcess()
    try:
        yield proc
    finally:
        proc.stop()


def test_http_refuses_requests_without_the_right_bearer_key(server):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {server.key}"},
                    {"Authorization": f"Bearer {server.key}x"}):
        reply = httpx.post(server.url, json=INITIALIZE, headers={**ACCEPT, **headers}, timeout=10)
        assert reply.status_code == 401, headers
        assert "Bearer" in reply.json()["error"]["message"] and server.key not in reply.text
    accepted = httpx.post(server.url, json=INITIALIZE, headers={**ACCEPT, "Authorization": f"Bearer {server.key}"}, timeout=10)
    assert accepted.status_code == 200
    log = server.stop()
    assert "streamable HTTP on http://127.0.0.1" in log and "bearer key required" in log
    assert server.key not in log


async def test_http_sdk_client_with_the_key_runs_an_orchestration(server):
    progress: list[float] = []

    async def on_progress(value: float, total: float | None, message: str | None) -> None:
        progress.append(value)

    headers = {"Authorization": f"Bearer {server.key}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http, \
            streamable_http_client(server.url, http_client=http) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        names = {t.name for t in (await session.list_tools()).tools}
        result = await session.call_tool("financial_health_assessment", {"symbol": "JNJ"}, progress_callback=on_progress)
        unknown = await session.call_tool("nope", {})
    assert {"financial_health_assessment", "get_stock_price"} <= names
    assert not result.is_error
    assert result.structured_content["tables"]["health"]["title"].startswith("JNJ")
    assert progress == [1, 2, 3, 4]
    assert unknown.is_error
    assert server.key not in server.stop()


async def test_tools_mcp_uses_finagent_mcp_over_http(server):
    """The round trip: finagent's own orchestrations, served over MCP, used as atomic tools again."""
    async with MCPTools.http(server.url, api_key=server.key, prefix="remote_",
                             include=["financial_health_assessment", "get_stock_price"]) as remote:
        assert set(remote.tools) == {"remote_financial_health_assessment", "remote_get_stock_price"}
        assert server.key not in repr(remote)
        runner = ToolRunner(list(remote))
        health = await runner.call("remote_financial_health_assessment", {"symbol": "JNJ"})
        quote = await runner.call("remote_get_stock_price", {"symbol": "ZZZZZQ"})
    assert health.ok, health.error
    assert health.value["tables"]["health"]["title"].startswith("JNJ")
    assert not quote.ok and quote.error_kind == "mcp_tool_error" and "ZZZZZQ" in quote.error


async def test_tools_mcp_without_the_right_key_fails_with_a_clear_error(server):
    for key in (None, "wrong-" + server.key):
        with pytest.raises(ToolError) as caught:
            async with MCPTools.http(server.url, api_key=key):
                pass
        assert "cannot connect to MCP server" in str(caught.value) and "401" in str(caught.value)
        assert server.key not in str(caught.value)


def test_exposure_warning_only_for_a_non_loopback_host_without_a_key():
    for loopback in ("127.0.0.1", "::1", "localhost", "127.8.0.1"):
        assert exposure_warning(loopback, None) is None
    for exposed in ("0.0.0.0", "192.168.1.4", "example.org"):
        assert "without an API key" in exposure_warning(exposed, None)
    assert exposure_warning("127.0.0.1", None) is None
    assert exposure_warning("0.0.0.0", "a-key") is None
    assert "without an API key" in exposure_warning("0.0.0.0", None)
