"""Auth and limits over real HTTP: `finagent serve` with a key (from FINAGENT_API_KEY), a small
body limit and a one-slot queue, through the `openai` client and raw httpx."""

from __future__ import annotations

import asyncio

import httpx
import openai
import pytest

from agent.server import exposure_warning
from agent.server._auth import key_matches

from .conftest import finagent_serve, free_port

pytestmark = [pytest.mark.server, pytest.mark.local_model]

KEY = "sk-local-test-9f8e7d6c5b4a"
ASK = [{"role": "user", "content": "Say hi."}]
LONG = {"model": "local", "messages": [{"role": "user", "content": "Write a long essay."}], "max_tokens": 1500,
        "response_format": {"type": "json_schema", "json_schema": {"name": "essay", "strict": True, "schema": {
            "type": "object", "properties": {"essay": {"type": "string", "minLength": 2000}}, "required": ["essay"]}}}}


@pytest.fixture(scope="module")
def guarded(gguf):
    """A server requiring KEY, with a 2000-byte body limit and room for one waiting request;
    --debug turns every log on (the key must still never appear)."""
    server = finagent_serve(free_port(), "--max-body-bytes", "2000", "--max-queue", "1", debug=True,
                            env={"FINAGENT_API_KEY": KEY})
    try:
        yield server.start()
    finally:
        server.stop()
        assert KEY not in server.log, "the API key appeared in the server's output"


def client(server, key: str | None = KEY) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(api_key=key or "", base_url=server.base_url, max_retries=0, timeout=600)


async def test_the_right_key_is_served(guarded):
    async with client(guarded) as c:
        r = await c.chat.completions.create(model="local", messages=ASK, max_tokens=4)
        models = await c.models.list()
    assert r.choices[0].message.content and models.data


@pytest.mark.parametrize("key", ["wrong-key", KEY + "x", KEY[:-1]])
async def test_a_wrong_key_is_a_401_in_openai_shape(guarded, key):
    async with client(guarded, key) as c:
        with pytest.raises(openai.AuthenticationError) as info:
            await c.chat.completions.create(model="local", messages=ASK, max_tokens=4)
    error = info.value.body
    assert error["type"] == "invalid_request_error" and error["code"] == "invalid_api_key"
    assert KEY not in str(info.value) and key not in error["message"]


async def test_a_missing_key_is_a_401_that_says_how_to_send_one(guarded):
    async with httpx.AsyncClient(timeout=60) as http:
        r = await http.post(f"{guarded.base_url}/chat/completions", json={"model": "local", "messages": ASK})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert "Authorization: Bearer" in r.json()["error"]["message"]


async def test_health_is_open_and_other_routes_are_not(guarded):
    async with httpx.AsyncClient(timeout=30) as http:
        assert (await http.get(f"http://127.0.0.1:{guarded.port}/health")).status_code == 200
        r = await http.get(f"{guarded.base_url}/models")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        r = await http.get(f"{guarded.base_url}/models", headers={"Authorization": f"Basic {KEY}"})
        assert r.status_code == 401


async def test_a_body_over_the_limit_is_a_413(guarded):
    big = [{"role": "user", "content": "x" * 3000}]
    async with client(guarded) as c:
        with pytest.raises(openai.APIStatusError) as info:
            await c.chat.completions.create(model="local", messages=big, max_tokens=4)
    assert info.value.status_code == 413 and "2000 bytes" in info.value.body["message"]

    async def chunked():  # no Content-Length: the limit holds while reading
        for _ in range(10):
            yield b"x" * 500

    async with httpx.AsyncClient(timeout=30) as http:
        r = await http.post(f"{guarded.base_url}/chat/completions", content=chunked(),
                            headers={"Authorization": f"Bearer {KEY}", "content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "request_too_large"


async def test_a_full_queue_is_a_429_with_retry_after(guarded):
    headers = {"Authorization": f"Bearer {KEY}"}
    root = f"http://127.0.0.1:{guarded.port}"

    async def until(predicate):
        for _ in range(6000):
            if predicate((await http.get(f"{root}/health")).json()):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the server never reached the expected state")

    async with httpx.AsyncClient(timeout=300) as http:
        running = asyncio.ensure_future(http.post(f"{guarded.base_url}/chat/completions", json=LONG, headers=headers))
        await until(lambda h: h["busy"])
        waiting = asyncio.ensure_future(http.post(f"{guarded.base_url}/chat/completions", json=LONG, headers=headers))
        await until(lambda h: h["waiting"] == 1)
        r = await http.post(f"{guarded.base_url}/chat/completions", json={"model": "local", "messages": ASK}, headers=headers)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        assert r.json()["error"]["code"] == "queue_full"
        for task in (waiting, running):  # the clients give up: both leave
            task.cancel()
        await asyncio.gather(running, waiting, return_exceptions=True)
        await until(lambda h: not h["busy"] and h["waiting"] == 0)
    async with client(guarded) as c:  # the openai client sees the 429 as a RateLimitError when it happens
        r = await c.chat.completions.create(model="local", messages=ASK, max_tokens=4)
    assert r.choices[0].message.content


def test_key_compare_and_exposure_warning():
    assert key_matches(f"Bearer {KEY}", KEY) and key_matches(f"bearer  {KEY} ", KEY)
    assert not key_matches(KEY, KEY) and not key_matches(None, KEY) and not key_matches("Bearer ", KEY)
    assert exposure_warning("0.0.0.0", None) and exposure_warning("192.168.1.4", None) and exposure_warning("::", None)
    assert exposure_warning("myhost.example", None)
    assert exposure_warning("127.0.0.1", None) is None and exposure_warning("::1", None) is None
    assert exposure_warning("localhost", None) is None and exposure_warning("0.0.0.0", KEY) is None
    assert KEY not in (exposure_warning("0.0.0.0", None) or "")


@pytest.mark.parametrize("env, warned", [({}, True), ({"FINAGENT_API_KEY": KEY}, False)])
def test_cli_warns_when_exposed_without_a_key(tmp_path, env, warned):
    """`serve --host 0.0.0.0` warns before loading the model (a missing GGUF stops it before it binds)."""
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    base = {k: v for k, v in os.environ.items() if k != "FINAGENT_API_KEY"}
    out = subprocess.run([sys.executable, "-m", "agent.cli", "serve", "--host", "0.0.0.0", "--model", str(tmp_path / "none.gguf")],
                         cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=600)
    assert out.returncode != 0 and "none.gguf" in out.stderr
    assert ("without an API key" in out.stderr) is warned
    assert KEY not in out.stdout + out.stderr
