"""Prompts for the local model: the tool block (tools_prompt.md beside this module), the message history
rendered with the model's own chat template, and the JSON call format the grammar enforces.

Call format (compact JSON, what the grammar and the few-shot examples use):
    [{"name":"NAME","arguments":{...}},{"name":"OTHER","arguments":{...}}]
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from string import Template
from typing import Any

from core.schema import resolve
from core.types import Message, ToolCall, ToolSpec

NONE_NAME = "reply_in_text"
"""The pseudo-function the model picks when no function fits (`auto`): then it answers in text."""

CALLS_OPEN = '[{"name":"'
NEXT_CALL = ',{"name":"'
MAX_ENUM_SHOWN = 16


def call_json(name: str, arguments: str) -> str:
    return '{"name":' + json.dumps(name) + ',"arguments":' + (arguments or "{}") + "}"


def calls_json(calls: list[ToolCall]) -> str:
    return "[" + ",".join(call_json(c.name, _compact(c.arguments)) for c in calls) + "]"


def _compact(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments or "{}"), separators=(",", ":"), ensure_ascii=False)
    except ValueError:
        return arguments or "{}"


def name_text(name: str) -> str:
    """A function name as it appears inside the JSON string (escaped, without quotes)."""
    return json.dumps(name, ensure_ascii=False)[1:-1]


# -- the tool block -----------------------------------------------------------------------
def tools_block(tools: list[tuple[ToolSpec, dict[str, Any]]], offer_none: bool,
                extra: list[tuple[ToolSpec, dict[str, Any]]] | None = None) -> str:
    """The rendered tool prompt; `tools` pairs each spec with the (grounded) schema compiled for it.
    `extra`: more functions, listed after the instructions (a shortlist's per-request tail)."""
    lines = [_describe_tool(spec, schema) for spec, schema in tools]
    text = _render_tools_prompt(tools="\n".join(lines), none=NONE_NAME)
    if not offer_none:  # drop the pseudo-function and the examples that pick it
        kept: list[str] = []
        for line in text.splitlines():
            if NONE_NAME in line:
                if kept and kept[-1].startswith("User:"):
                    kept.pop()
                continue
            kept.append(line)
        text = "\n".join(kept)
    if extra:
        text = text.rstrip("\n") + "\n\nMore functions you can call:\n" + "\n".join(_describe_tool(spec, schema) for spec, schema in extra)
    return text


def _describe_tool(spec: ToolSpec, schema: dict[str, Any]) -> str:
    desc = " ".join((spec.description or "").split())
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    args = []
    for name, prop in props.items():
        kind = describe_type(prop, schema)
        about = " ".join((resolve(prop, schema).get("description") or prop.get("description") or "").split())
        optional = "" if name in required else ", optional"
        args.append(f'"{name}" ({kind}{optional})' + (f": {about}" if about else ""))
    arg_text = "; ".join(args) if args else "none"
    return f"- {spec.name}: {desc} Arguments: {arg_text}"


def describe_type(node: Any, root: dict[str, Any], depth: int = 0) -> str:
    if not isinstance(node, dict) or depth > 4:
        return "any"
    node = resolve(node, root)
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        values = [json.dumps(v) for v in node["enum"][:MAX_ENUM_SHOWN]]
        more = ", ..." if len(node["enum"]) > MAX_ENUM_SHOWN else ""
        return "one of " + ", ".join(values) + more
    for key in ("anyOf", "oneOf"):
        if key in node:
            return " or ".join(describe_type(a, root, depth + 1) for a in node[key])
    t = node.get("type")
    if isinstance(t, list):
        return " or ".join(describe_type({**node, "type": x}, root, depth + 1) for x in t)
    if t == "array":
        return "list of " + describe_type(node.get("items") or {}, root, depth + 1)
    if t == "object":
        props = node.get("properties") or {}
        if not props:
            return "object"
        inner = ", ".join(f'"{k}": {describe_type(v, root, depth + 1)}' for k, v in props.items())
        return "{" + inner + "}"
    if t in ("integer", "number"):
        lo, hi = node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum", node.get("exclusiveMaximum"))
        if lo is not None or hi is not None:
            return f"{t} {'' if lo is None else lo}..{'' if hi is None else hi}"
    return str(t or "any")


# -- the conversation ---------------------------------------------------------------------
def chat_messages(messages: list[Message], extra_system: str = "") -> list[dict[str, str]]:
    """Provider-neutral history -> role/content dicts every ChatML-like template understands.

    Assistant tool calls are shown in the JSON call format; tool results become a user turn
    ("Result of NAME: ..."), consecutive results merged.
    """
    system = [m.content or "" for m in messages if m.role == "system"]
    if extra_system:
        system.append(extra_system)
    out: list[dict[str, str]] = []
    if system:
        out.append({"role": "system", "content": "\n\n".join(s for s in system if s)})
    for m in messages:
        if m.role == "system":
            continue
        if m.role == "assistant":
            parts = [m.content] if m.content else []
            if m.tool_calls:
                parts.append(calls_json(m.tool_calls))
            out.append({"role": "assistant", "content": "\n".join(parts)})
        elif m.role == "tool":
            text = f"Result of {m.name or 'the function'}: {m.content or ''}"
            if out and out[-1]["role"] == "user" and out[-1].get("_tool"):
                out[-1]["content"] += "\n" + text
            else:
                out.append({"role": "user", "content": text, "_tool": "1"})
        else:
            out.append({"role": "user", "content": m.content or ""})
    return [{"role": d["role"], "content": d["content"]} for d in out]


class ChatTemplate:
    """The GGUF's own Jinja2 chat template, or plain ChatML if it is missing or fails."""

    def __init__(self, template: str | None, bos: str = "", eos: str = ""):
        self._formatter = None
        if template:
            try:
                from llama_cpp.llama_chat_format import Jinja2ChatFormatter

                self._formatter = Jinja2ChatFormatter(template, eos_token=eos, bos_token=bos)
                self.render([{"role": "user", "content": "x"}])
            except Exception:  # noqa: BLE001 - an unusable template falls back to ChatML
                self._formatter = None

    def render(self, messages: list[dict[str, str]]) -> str:
        if self._formatter is not None:
            return self._formatter(messages=messages).prompt  # type: ignore[arg-type]  # llama_cpp's TypedDicts
        return chatml(messages)


def chatml(messages: list[dict[str, str]]) -> str:
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + "<|im_start|>assistant\n"


@lru_cache(maxsize=1)
def _tools_prompt() -> Template:
    return Template(resources.files(__package__).joinpath("tools_prompt.md").read_text(encoding="utf-8"))


def _render_tools_prompt(**values: object) -> str:
    """The backend's own tool prompt (not the application's prompts/): `$placeholders` filled."""
    return _tools_prompt().safe_substitute(**{k: str(v) for k, v in values.items()})
