"""A GGUF's own tool format: its chat template renders the tools, the calls and the tool results.

Tool-trained models (Qwen2.5, Llama 3.1+, Hermes, ...) ship a Jinja2 chat template that takes
`tools` and renders assistant `tool_calls` and `tool` messages in the format the model was trained
on. `NativeTemplate` renders through it with jinja2 as llama-cpp-python's `Jinja2ChatFormatter`
does (sandboxed, `tojson` as in Transformers), and learns the call format from the template itself
by differential rendering: a conversation with one sample call minus the same conversation up to
the generation prompt is the call's text, whose parts around the sample name and arguments are
the format (`CallFormat`). Nothing here knows a model family: a template that does not render the
sample tool, or whose call text cannot be found, declares no tools (`NativeTemplate.load` -> None)
and the backend keeps its own prompt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.types import Message, ToolSpec

__all__ = ["CallFormat", "NativeTemplate"]

_NAME = "fn_sample_7q"
_OTHER = "fn_other_7q"
_ARGS = {"arg_sample_7q": "value_7q"}
_TEXT = "text_sample_7q"
_TOOL = {"type": "function", "function": {"name": _NAME, "description": "Sample.", "parameters": {
    "type": "object", "properties": {"arg_sample_7q": {"type": "string"}}, "required": ["arg_sample_7q"]}}}


@dataclass(frozen=True)
class CallFormat:
    """How the template writes an assistant's calls: `start` NAME `name_end` ARGUMENTS-JSON `end`,
    calls joined by `separator` (None: one call per assistant message)."""

    start: str
    name_end: str
    end: str
    separator: str | None

    def call(self, name: str, arguments: str) -> str:
        return self.start + name + self.name_end + arguments + self.end

    @property
    def trigger(self) -> str:
        """The text that opens a call (the lazy grammar starts there): the start, or, when the
        template writes none (Llama 3.1: a bare JSON object), the start with the name's opening."""
        return self.start


class NativeTemplate:
    """A chat template that declares tools, rendered with jinja2; `load` returns None otherwise."""

    def __init__(self, template: str, bos: str = "", eos: str = ""):
        import jinja2
        import jinja2.ext
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
        env.filters["tojson"] = _tojson
        self._template = env.from_string(template)
        self.bos, self.eos = bos, eos
        self.format: CallFormat | None = None

    @classmethod
    def load(cls, template: str | None, bos: str = "", eos: str = "") -> NativeTemplate | None:
        """The template as a `NativeTemplate` when it renders tools and a learnable call format."""
        if not template or "tools" not in template:
            return None
        try:
            native = cls(template, bos, eos)
            native.format = native._learn_format()
        except Exception:  # noqa: BLE001 - a template that fails here is not used natively
            return None
        return native if native.format is not None else None

    # -- rendering ------------------------------------------------------------------------
    def render(self, messages: list[Message], tools: list[ToolSpec] | None, add_generation_prompt: bool = True) -> str:
        """The prompt for `messages` with `tools` offered (None or empty: no tools)."""
        return self._render(to_template_messages(messages), [tool_json(t) for t in tools or []] or None, add_generation_prompt)

    def _render(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None, add_generation_prompt: bool) -> str:
        def raise_exception(message: str) -> None:
            raise ValueError(message)

        return self._template.render(
            messages=messages, tools=tools, add_generation_prompt=add_generation_prompt, bos_token=self.bos,
            eos_token=self.eos, raise_exception=raise_exception, strftime_now=lambda f: datetime.now().strftime(f),
        )

    # -- learning the call format -----------------------------------------------------------
    def _learn_format(self) -> CallFormat | None:
        user = [{"role": "user", "content": "question_7q"}]
        if _NAME not in self._render(user, [_TOOL], True):
            return None  # the tools are not rendered: the template does not declare them
        prompt = self._render(user, [_TOOL], True)
        one = self._assistant_text(prompt, user + [_assistant([(_NAME, _ARGS)])])
        text = self._assistant_text(prompt, user + [{"role": "assistant", "content": _TEXT}])
        if one is None or text is None or _TEXT not in text:
            return None
        turn_end = text[text.index(_TEXT) + len(_TEXT):]
        arguments = json.dumps(_ARGS, ensure_ascii=False)
        if _NAME not in one or arguments not in one:
            return None
        start, rest = one.split(_NAME, 1)
        name_end, end = rest.split(arguments, 1)
        if turn_end and end.endswith(turn_end):
            end = end[: -len(turn_end)]
        separator: str | None = None
        try:
            two = self._assistant_text(prompt, user + [_assistant([(_NAME, _ARGS), (_OTHER, _ARGS)])])
        except Exception:  # noqa: BLE001 - "only supports single tool-calls": one call per message
            two = None
        first = start + _NAME + name_end + arguments + end
        if two and two.startswith(first) and start + _OTHER in two[len(first):]:
            separator = two[len(first):two.index(start + _OTHER, len(first))]
        return CallFormat(start, name_end, end, separator)

    def _assistant_text(self, prompt: str, messages: list[dict[str, Any]]) -> str | None:
        """What the template writes for the last (assistant) message, after the generation prompt."""
        full = self._render(messages, [_TOOL], False)
        return full[len(prompt):] if full.startswith(prompt) else None


def tool_json(spec: ToolSpec) -> dict[str, Any]:
    """A tool as chat templates take it (OpenAI's shape)."""
    return {"type": "function", "function": {"name": spec.name, "description": spec.description, "parameters": spec.parameters}}


def to_template_messages(messages: list[Message]) -> list[dict[str, Any]]:
    """Provider-neutral messages -> what chat templates take: system messages merged first, assistant
    calls as `tool_calls` with their arguments as objects (templates write them with `tojson`), tool
    results as `tool` messages with the call's id and name."""
    system = "\n\n".join(m.content or "" for m in messages if m.role == "system" and m.content)
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for m in messages:
        if m.role == "system":
            continue
        if m.role == "assistant" and m.tool_calls:
            out.append(_assistant([(c.name, _parsed(c.arguments)) for c in m.tool_calls], m.content, [c.id for c in m.tool_calls]))
        elif m.role == "tool":
            out.append({"role": "tool", "content": m.content or "", "tool_call_id": m.tool_call_id or "", "name": m.name or ""})
        else:
            out.append({"role": m.role, "content": m.content or ""})
    return out


def _assistant(calls: list[tuple[str, Any]], content: str | None = None, ids: list[str] | None = None) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "tool_calls": [
        {"id": (ids or [])[i] if ids and i < len(ids) else f"call_{i}", "type": "function",
         "function": {"name": name, "arguments": arguments}} for i, (name, arguments) in enumerate(calls)]}


def _parsed(arguments: str) -> Any:
    try:
        return json.loads(arguments or "{}")
    except ValueError:
        return arguments


def _tojson(x: Any, ensure_ascii: bool = False, indent: int | None = None, separators: Any = None, sort_keys: bool = False) -> str:
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
