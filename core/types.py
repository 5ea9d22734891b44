"""Provider-neutral messages, tool calls, requests, responses and the `LLM` contract.

Every backend (OpenAI-compatible HTTP, local llama.cpp, scripted, replayed) speaks these types, so
the driver, the replay harness and the tests never see a provider's own wire format. This module is
at the bottom of the import graph: tools, orchestrations and the driver all use it, it uses none.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, Union, runtime_checkable

from .response_format import normalize_response_format

Role = Literal["system", "user", "assistant", "tool"]
ToolChoice = Union[Literal["auto", "required", "none"], str]
"""`auto`, `required`, `none`, or the name of the one tool that must be called."""


@dataclass(slots=True)
class ToolCall:
    """One function call requested by the model. `arguments` is the raw JSON text it wrote."""

    id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; raises ValueError on invalid JSON or a non-object."""
        value = json.loads(self.arguments or "{}")
        if not isinstance(value, dict):
            raise ValueError("arguments must be a JSON object")
        return value


@dataclass(slots=True)
class Message:
    role: Role
    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None

    @classmethod
    def system(cls, text: str) -> Message:
        return cls("system", text)

    @classmethod
    def user(cls, text: str) -> Message:
        return cls("user", text)

    @classmethod
    def assistant(cls, text: str | None, tool_calls: list[ToolCall] | None = None) -> Message:
        return cls("assistant", text, list(tool_calls or []))

    @classmethod
    def tool(cls, call: ToolCall, text: str) -> Message:
        return cls("tool", text, tool_call_id=call.id, name=call.name)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        calls = [ToolCall(**c) for c in data.get("tool_calls") or []]
        return cls(data["role"], data.get("content"), calls, data.get("tool_call_id"), data.get("name"))


@dataclass(slots=True, frozen=True)
class ToolSpec:
    """What the model is offered: a name, a description and a JSON schema of the arguments."""

    name: str
    description: str
    parameters: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "parameters": self.parameters}


@dataclass(slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, other: Usage) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.requests += other.requests

    def to_dict(self) -> dict[str, int]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "requests": self.requests,
        }


@dataclass(slots=True)
class LLMRequest:
    """Everything a backend needs for one completion; also the replay harness's match key."""

    messages: list[Message]
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: ToolChoice = "auto"
    temperature: float | None = None
    max_tokens: int | None = None
    grounding: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """Per tool, per argument: allowed values computed for this request (used by grammar backends)."""
    response_format: Any = None
    """None (free text), OpenAI's `{"type": "json_object"}` / `{"type": "json_schema", "json_schema":
    {"name", "schema", "strict"}}`, or a pydantic model class (stored as its strict json_schema)."""
    seed: int | None = None
    """Makes sampling (temperature > 0) reproducible; greedy decoding ignores it."""

    def __post_init__(self) -> None:
        if self.response_format is not None:
            self.response_format = normalize_response_format(self.response_format)

    figures: list[str] = field(default_factory=list)
    """The figures a text answer may write, as printed in the data (grammar backends decode every
    number from these; others ignore it). Empty: no restriction."""
    clauses: list[str] = field(default_factory=list)
    """Clause answers: the clauses (computed from the data, each naming what its figures measure) in
    which every figure of a text answer must stand, verbatim; grammar backends decode under this rule,
    the others ignore it (their answers are checked). Empty: figures as `figures` says."""
    verdicts: int = 0
    """Clause answers: the first `verdicts` clauses are verdicts; a composed answer opens with one."""
    connectives: list[str] = field(default_factory=list)
    """Clause answers: the words that may open a sentence before a clause ("However,"). Set: the
    answer is composed of whole clauses (grammar backends); empty: the model's own words join them."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "messages": [m.to_dict() for m in self.messages],
            "tools": [t.to_dict() for t in self.tools],
            "tool_choice": self.tool_choice,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "grounding": self.grounding,
        }
        # only when set: recorded requests without them keep their match keys
        if self.response_format is not None:
            out["response_format"] = self.response_format
        if self.seed is not None:
            out["seed"] = self.seed
        if self.figures:
            out["figures"] = list(self.figures)
        if self.clauses:
            out["clauses"] = list(self.clauses)
        if self.verdicts:
            out["verdicts"] = self.verdicts
        if self.connectives:
            out["connectives"] = list(self.connectives)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LLMRequest:
        return cls(
            messages=[Message.from_dict(m) for m in data["messages"]],
            tools=[ToolSpec(**t) for t in data.get("tools", [])],
            tool_choice=data.get("tool_choice", "auto"),
            temperature=data.get("temperature"),
            max_tokens=data.get("max_tokens"),
            grounding=data.get("grounding") or {},
            response_format=data.get("response_format"),
            seed=data.get("seed"),
            figures=list(data.get("figures") or []),
            clauses=list(data.get("clauses") or []),
            verdicts=int(data.get("verdicts") or 0),
            connectives=list(data.get("connectives") or []),
        )


@dataclass(slots=True)
class LLMResponse:
    message: Message
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    finish_reason: str = "stop"

    @property
    def tool_calls(self) -> list[ToolCall]:
        return self.message.tool_calls

    @property
    def text(self) -> str:
        return self.message.content or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message.to_dict(),
            "usage": self.usage.to_dict(),
            "model": self.model,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LLMResponse:
        u = data.get("usage") or {}
        usage = Usage(u.get("prompt_tokens", 0), u.get("completion_tokens", 0), u.get("requests", 1))
        return cls(Message.from_dict(data["message"]), usage, data.get("model", ""), data.get("finish_reason", "stop"))


@dataclass(slots=True)
class StreamChunk:
    """A piece of a streamed completion: a text delta, or (last) the complete response."""

    delta: str = ""
    response: LLMResponse | None = None


DEFAULT_CONTEXT_WINDOW = 8192
"""Tokens a backend is assumed to hold when it does not say (`BaseLLM.context_window`)."""


@runtime_checkable
class LLM(Protocol):
    """The whole contract a backend implements (`agent.llm.BaseLLM` gives the defaults)."""

    model: str
    context_window: int

    async def complete(self, request: LLMRequest) -> LLMResponse:
        """One completion: text, tool calls, or both."""
        ...

    def stream(self, request: LLMRequest) -> AsyncIterator[StreamChunk]:
        """The same completion streamed: text deltas, then one chunk carrying the full response."""
        ...

    async def aclose(self) -> None:
        """Release connections or threads (idempotent)."""
        ...


async def stream_by_completing(llm: LLM, request: LLMRequest) -> AsyncIterator[StreamChunk]:
    """A `stream` for backends that cannot stream: one delta with the whole text, then the response."""
    response = await llm.complete(request)
    if response.text:
        yield StreamChunk(delta=response.text)
    yield StreamChunk(response=response)
