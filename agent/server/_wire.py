"""The OpenAI chat-completions wire format: requests in, responses and SSE chunks out.

Only the provider-neutral types of `agent.llm` cross this boundary, so the app works with any
`LLM` (the local llama.cpp model in `finagent serve`, a ScriptedLLM in tests).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, cast

from agent.llm import LLMRequest, LLMResponse, Message, ToolCall, ToolSpec, Usage, openai_format
from agent.llm.structured import normalize_response_format
from core.types import Role

ROLES = {"system", "user", "assistant", "tool", "developer"}


class BadRequest(ValueError):
    """A request the server rejects with HTTP 400 and an OpenAI-style error body."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


@dataclass(slots=True)
class ChatCall:
    """One parsed `POST /v1/chat/completions`."""

    request: LLMRequest
    stream: bool = False
    include_usage: bool = False
    model: str | None = None
    stop: list[str] = field(default_factory=list)
    parallel_tool_calls: bool = True


def parse_chat_request(body: Any) -> ChatCall:
    """Validate the JSON body; raise BadRequest with a message naming the offending field."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' must be a non-empty list", "messages")
    parsed = [_message(m, i) for i, m in enumerate(messages)]
    tools = _tools(body.get("tools"))
    choice = _tool_choice(body.get("tool_choice"), tools)
    n = body.get("n", 1)
    if n not in (1, None):
        raise BadRequest("only n=1 is supported", "n")
    max_tokens = body.get("max_completion_tokens")
    key = "max_completion_tokens"
    if max_tokens is None:
        max_tokens, key = body.get("max_tokens"), "max_tokens"
    if max_tokens is not None and (not _is_int(max_tokens) or max_tokens < 1):
        raise BadRequest(f"'{key}' must be a positive integer", key)
    temperature = body.get("temperature")
    if temperature is not None and (not isinstance(temperature, (int, float)) or isinstance(temperature, bool) or not 0 <= temperature <= 2):
        raise BadRequest("'temperature' must be a number between 0 and 2", "temperature")
    stream = body.get("stream") or False
    if not isinstance(stream, bool):
        raise BadRequest("'stream' must be true or false", "stream")
    options = body.get("stream_options") or {}
    include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
    seed = body.get("seed")
    if seed is not None and not _is_int(seed):
        raise BadRequest("'seed' must be an integer", "seed")
    parallel = body.get("parallel_tool_calls")
    if parallel is not None and not isinstance(parallel, bool):
        raise BadRequest("'parallel_tool_calls' must be true or false", "parallel_tool_calls")
    _unsupported(body)
    try:
        response_format = normalize_response_format(body.get("response_format"))
    except ValueError as e:
        raise BadRequest(str(e), "response_format") from None
    request = LLMRequest(parsed, tools, choice, float(temperature) if temperature is not None else None, max_tokens,
                         response_format=response_format, seed=seed)
    return ChatCall(request, stream, include_usage, body.get("model"), _stop(body.get("stop")), parallel is not False)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _stop(raw: Any) -> list[str]:
    """`stop`: a string or up to 4 strings; the reply ends before the first one it would write."""
    if raw is None:
        return []
    stops = [raw] if isinstance(raw, str) else raw
    if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops) or len(stops) > 4:
        raise BadRequest("'stop' must be a non-empty string or a list of up to 4 non-empty strings", "stop")
    return list(stops)


NEUTRAL: dict[str, tuple[Any, ...]] = {"top_p": (1, 1.0), "frequency_penalty": (0, 0.0), "presence_penalty": (0, 0.0), "logprobs": (False,),
           "logit_bias": ({},), "top_logprobs": (0,), "modalities": (["text"],), "prediction": (),
           "audio": (), "web_search_options": (), "reasoning_effort": (), "service_tier": ("auto", "default")}
"""Parameters this server cannot honour: accepted only when absent, null or at their neutral value."""


def _unsupported(body: dict[str, Any]) -> None:
    for name, neutral in NEUTRAL.items():
        value = body.get(name)
        if value is not None and value not in neutral:
            raise BadRequest(f"'{name}' is not supported by this server (got {value!r}); leave it out", name)


def _text(content: Any, where: str) -> str | None:
    if content is None or isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: only text is supported
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise BadRequest(f"{where}.content: only text parts are supported", where)
            parts.append(part["text"])
        return "".join(parts)
    raise BadRequest(f"{where}.content must be a string, a list of text parts, or null", where)


def _message(m: Any, i: int) -> Message:
    where = f"messages[{i}]"
    if not isinstance(m, dict):
        raise BadRequest(f"{where} must be an object", where)
    role = m.get("role")
    if role not in ROLES:
        raise BadRequest(f"{where}.role must be one of system, user, assistant, tool (got {role!r})", where)
    content = _text(m.get("content"), where)
    if role == "developer":
        role = "system"
    if role == "tool":
        call_id = m.get("tool_call_id")
        if not isinstance(call_id, str) or not call_id:
            raise BadRequest(f"{where}: a tool message needs 'tool_call_id'", where)
        return Message("tool", content or "", tool_call_id=call_id, name=m.get("name"))
    if role == "assistant":
        calls = []
        for j, c in enumerate(m.get("tool_calls") or []):
            fn = c.get("function") if isinstance(c, dict) else None
            if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
                raise BadRequest(f"{where}.tool_calls[{j}] needs function.name", where)
            arguments = fn.get("arguments")
            if isinstance(arguments, dict):
                arguments = json.dumps(arguments)
            calls.append(ToolCall(str(c.get("id") or f"call_{j}"), fn["name"], arguments or "{}"))
        return Message.assistant(content or None, calls)
    if content is None:
        raise BadRequest(f"{where}.content is required for role {role}", where)
    return Message(cast(Role, role), content, name=m.get("name"))


def _tools(raw: Any) -> list[ToolSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest("'tools' must be a list", "tools")
    specs, seen = [], set()
    for i, t in enumerate(raw):
        fn = t.get("function") if isinstance(t, dict) and t.get("type", "function") == "function" else None
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str) or not fn["name"]:
            raise BadRequest(f"tools[{i}] must be {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}", "tools")
        if fn["name"] in seen:
            raise BadRequest(f"tools[{i}]: duplicate function name {fn['name']!r}", "tools")
        seen.add(fn["name"])
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        if not isinstance(params, dict):
            raise BadRequest(f"tools[{i}].function.parameters must be a JSON schema object", "tools")
        specs.append(ToolSpec(fn["name"], fn.get("description") or "", params))
    return specs


def _tool_choice(raw: Any, tools: list[ToolSpec]) -> str:
    if raw is None:
        return "auto"
    if isinstance(raw, str):
        if raw not in ("auto", "required", "none"):
            raise BadRequest(f"'tool_choice' must be auto, required, none or a function object (got {raw!r})", "tool_choice")
        if raw == "required" and not tools:
            raise BadRequest("tool_choice 'required' needs 'tools'", "tool_choice")
        return raw
    fn = raw.get("function") if isinstance(raw, dict) else None
    name = fn.get("name") if isinstance(fn, dict) else None
    if not isinstance(name, str):
        raise BadRequest("'tool_choice' object must be {\"type\": \"function\", \"function\": {\"name\": ...}}", "tool_choice")
    if name not in {t.name for t in tools}:
        raise BadRequest(f"tool_choice names {name!r}, which is not among the tools", "tool_choice")
    return name


# -- responses --------------------------------------------------------------------------------
def completion_id() -> str:
    return f"chatcmpl-{uuid.uuid4().hex[:24]}"


def usage_dict(usage: Usage) -> dict[str, int]:
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens, "total_tokens": usage.total_tokens}


def finish_reason(response: LLMResponse) -> str:
    if response.finish_reason == "length":
        return "length"
    return "tool_calls" if response.tool_calls else "stop"


def completion(response: LLMResponse, cid: str, model: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": response.message.content}
    if response.tool_calls:
        message["tool_calls"] = openai_format.tool_calls(response.tool_calls)
    return {
        "id": cid, "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason(response), "logprobs": None}],
        "usage": usage_dict(response.usage),
    }


def chunk(cid: str, model: str, created: int, delta: dict[str, Any], finish: str | None = None, usage: Usage | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }
    if usage is not None:
        out["usage"] = usage_dict(usage)
    return out


def tool_call_deltas(calls: list[ToolCall]) -> list[dict[str, Any]]:
    """Deltas announcing each call (index, id, type, name), then its arguments, as OpenAI streams them."""
    deltas = []
    for i, c in enumerate(calls):
        deltas.append({"tool_calls": [{"index": i, "id": c.id, "type": "function", "function": {"name": c.name, "arguments": ""}}]})
        deltas.append({"tool_calls": [{"index": i, "function": {"arguments": c.arguments}}]})
    return deltas


def sse(data: dict[str, Any] | str) -> str:
    return f"data: {data if isinstance(data, str) else json.dumps(data)}\n\n"


def error_body(message: str, kind: str = "invalid_request_error", param: str | None = None, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
