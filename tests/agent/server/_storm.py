"""A storm of concurrent clients against a chat-completions server, each outcome checked for form.

Ten kinds of client in turn: plain, streamed, tool call (named), tool call streamed (required),
streamed then gone after the first piece, structured (json_schema), structured streamed, gone
before the reply (non-streamed, cancelled while waiting), a bad request, and `stop`. Every
outcome must be a well-formed answer, a well-formed OpenAI-style error, or the client's own exit.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

ASK = [{"role": "user", "content": "What is the stock price of Apple (AAPL)?"}]
PRICE = {"type": "function", "function": {"name": "get_stock_price", "description": "Latest stock price for a ticker",
                                           "parameters": {"type": "object", "properties": {"symbol": {"type": "string"}},
                                                          "required": ["symbol"]}}}
QUOTE = {"type": "json_schema", "json_schema": {"name": "quote", "strict": True, "schema": {
    "type": "object", "properties": {"symbol": {"type": "string", "maxLength": 6}, "price": {"type": "number"}},
    "required": ["symbol", "price"]}}}
KINDS = ["text", "text_stream", "tool", "tool_stream", "gone_mid_stream", "structured", "structured_stream",
         "gone_waiting", "bad_request", "stop"]


class Malformed(AssertionError):
    """The server answered with something that is neither a valid reply nor a valid error."""


@dataclass
class Outcome:
    kind: str
    result: str  # "ok", "error:<status>", "client_left"
    seconds: float


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ok = sorted(o.seconds for o in self.outcomes if o.result == "ok")
        q = statistics.quantiles(ok, n=20) if len(ok) >= 2 else ok * 19
        return {"requests": len(self.outcomes), "results": dict(Counter(o.result for o in self.outcomes)),
                "by_kind": {k: dict(Counter(o.result for o in self.outcomes if o.kind == k)) for k in KINDS},
                "p50_s": round(statistics.median(ok), 3) if ok else None, "p95_s": round(q[18], 3) if ok else None}


def body_for(kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {"model": "local", "messages": ASK, "max_tokens": 8}
    if kind in ("text_stream", "tool_stream", "gone_mid_stream", "structured_stream"):
        body["stream"] = True
    if kind == "tool":
        body.update(tools=[PRICE], tool_choice={"type": "function", "function": {"name": "get_stock_price"}}, max_tokens=24)
    if kind == "tool_stream":
        body.update(tools=[PRICE], tool_choice="required", max_tokens=24)
    if kind in ("structured", "structured_stream"):
        body.update(response_format=QUOTE, max_tokens=32)
    if kind in ("gone_mid_stream", "gone_waiting"):
        body["max_tokens"] = 200
    if kind == "bad_request":
        body["tool_choice"] = "sometimes"
    if kind == "stop":
        body["stop"] = ["."]
    return body


async def one(http: httpx.AsyncClient, url: str, kind: str, headers: dict[str, str]) -> Outcome:
    start = time.monotonic()
    body = body_for(kind)
    if kind == "gone_waiting":
        task = asyncio.ensure_future(http.post(url, json=body, headers=headers))
        await asyncio.sleep(0.5)  # gives up early (queued or generating)
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return Outcome(kind, "client_left", time.monotonic() - start)
        response = task.result()
        return Outcome(kind, check_json(response, kind), time.monotonic() - start)
    if body.get("stream"):
        async with http.stream("POST", url, json=body, headers=headers) as response:
            if response.status_code != 200:
                await response.aread()
                return Outcome(kind, check_json(response, kind), time.monotonic() - start)
            events = []
            async for line in response.aiter_lines():
                if not line:
                    continue
                if not line.startswith("data: "):
                    raise Malformed(f"{kind}: not an SSE data line: {line[:100]!r}")
                events.append(line[6:])
                if kind == "gone_mid_stream" and len(events) >= 2:
                    return Outcome(kind, "client_left", time.monotonic() - start)
        return Outcome(kind, check_stream(events, kind), time.monotonic() - start)
    response = await http.post(url, json=body, headers=headers)
    return Outcome(kind, check_json(response, kind), time.monotonic() - start)


def check_error(data: Any, status: int, kind: str) -> str:
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or not isinstance(error.get("message"), str) or not isinstance(error.get("type"), str):
        raise Malformed(f"{kind}: HTTP {status} without an OpenAI-style error: {str(data)[:200]}")
    return f"error:{status}"


def check_json(response: httpx.Response, kind: str) -> str:
    try:
        data = response.json()
    except ValueError:
        raise Malformed(f"{kind}: HTTP {response.status_code} body is not JSON: {response.text[:200]!r}") from None
    if response.status_code != 200:
        if kind != "bad_request" and response.status_code == 400:
            raise Malformed(f"{kind}: a valid request got 400: {data}")
        return check_error(data, response.status_code, kind)
    if kind == "bad_request":
        raise Malformed("a bad request was served")
    message = data["choices"][0]["message"]
    check_message(kind, message.get("content"), message.get("tool_calls") or [], data["choices"][0]["finish_reason"])
    if data["usage"]["total_tokens"] <= 0 and kind != "stop":
        raise Malformed(f"{kind}: no usage")
    return "ok"


def check_stream(events: list[str], kind: str) -> str:
    if not events or events[-1] != "[DONE]":
        raise Malformed(f"{kind}: the stream did not end with [DONE]")
    chunks = [json.loads(e) for e in events[:-1]]
    if any("error" in c for c in chunks):
        return check_error(next(c for c in chunks if "error" in c), 200, kind)
    text, calls, finish = "", {}, None
    for c in chunks:
        for choice in c["choices"]:
            delta = choice["delta"]
            text += delta.get("content") or ""
            for tc in delta.get("tool_calls") or []:
                slot = calls.setdefault(tc["index"], {"function": {"name": "", "arguments": ""}})
                slot["function"]["name"] += tc.get("function", {}).get("name") or ""
                slot["function"]["arguments"] += tc.get("function", {}).get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    check_message(kind, text, list(calls.values()), finish)
    return "ok"


def check_message(kind: str, content: str | None, calls: list[dict], finish: str | None) -> None:
    if finish not in ("stop", "length", "tool_calls"):
        raise Malformed(f"{kind}: finish_reason {finish!r}")
    if kind.startswith("tool"):
        if not calls or calls[0]["function"]["name"] != "get_stock_price":
            raise Malformed(f"{kind}: no tool call")
        if finish == "tool_calls":
            json.loads(calls[0]["function"]["arguments"])
    elif kind.startswith("structured") and finish == "stop":
        value = json.loads(content or "")
        if set(value) != {"symbol", "price"}:
            raise Malformed(f"{kind}: {value}")
    elif kind == "stop" and "." in (content or ""):
        raise Malformed("stop: the stop text was sent")


async def storm(base_url: str, clients: int = 50, api_key: str | None = None) -> Report:
    """`clients` concurrent requests, kinds in turn; raises Malformed on the first bad outcome."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=httpx.Timeout(600, connect=30), limits=limits) as http:
        url = f"{base_url}/chat/completions"
        outcomes = await asyncio.gather(*(one(http, url, KINDS[i % len(KINDS)], headers) for i in range(clients)))
    return Report(list(outcomes))
