"""`finagent serve` exports a `chat` span per request to a real OTLP/HTTP receiver on 127.0.0.1."""

import time

import httpx
import pytest

from tests.agent.otlp_receiver import OTLPReceiver

from .conftest import finagent_serve, free_port

pytestmark = [pytest.mark.server, pytest.mark.local_model]


def test_a_served_request_is_a_chat_span_with_gen_ai_attributes():
    with OTLPReceiver() as receiver:
        server = finagent_serve(free_port(), env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_BSP_SCHEDULE_DELAY": "100"})
        server.start()
        try:
            body = {"model": "any", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 4}
            reply = httpx.post(server.base_url + "/chat/completions", json=body, timeout=300)
            assert reply.status_code == 200, reply.text
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not receiver.spans():
                time.sleep(0.2)
        finally:
            server.stop()
        spans = receiver.spans()
    (chat,) = [s for s in spans if s["attributes"].get("gen_ai.operation.name") == "chat"]
    assert chat["attributes"]["finagent.llm.purpose"] == "serve"
    assert chat["attributes"]["gen_ai.request.model"].startswith("SmolLM2")
    assert chat["attributes"]["gen_ai.request.max_tokens"] == 4
    assert chat["attributes"]["gen_ai.usage.output_tokens"] == reply.json()["usage"]["completion_tokens"]
    assert "Say hi" not in str(chat["attributes"])
