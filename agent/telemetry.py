"""OpenTelemetry traces with the GenAI semantic conventions; a no-op without the OpenTelemetry API.

One trace per turn: `invoke_agent finagent` (the turn) holds a `chat {model}` span per LLM call
(routing, ReAct steps, analysis), an `execute_tool {name}` span per orchestration, and under it one
per atomic tool call that runs, nested as they run (context variables carry the parent into
concurrent tasks). Attributes: `gen_ai.operation.name`, `gen_ai.request.model`,
`gen_ai.usage.input_tokens` / `output_tokens`, `gen_ai.tool.name`, ...; the turn span also carries
the figures check (`finagent.figures.*`).

Content (questions, answers, prompts, arguments, results) is recorded only when
`OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, and then redacted (`core.Redactor`).
Errors are recorded by type and a redacted line, never by traceback or exception object.

`configure_from_env()` (run by `finagent ask/chat/serve/mcp`) exports over OTLP/HTTP when the `otel`
extra is installed and `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`) is set; an app
that configures its own tracer provider gets the spans there.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from core import LLMRequest, LLMResponse, Redactor

try:
    from opentelemetry import trace as _trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError:  # pragma: no cover - exercised in a subprocess test without the package
    _trace = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

CAPTURE_CONTENT_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
AGENT_NAME = "finagent"
CONTENT_CHARS = 8000
"""Longest content attribute (when content is captured)."""

_provider: Any = None


class _NoSpan:
    """What a span is when OpenTelemetry is absent."""

    def set_attribute(self, key: str, value: Any) -> None:
        pass

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        pass

    def set_status(self, *args: Any, **kwargs: Any) -> None:
        pass

    def end(self) -> None:
        pass

    def is_recording(self) -> bool:
        return False


NO_SPAN = _NoSpan()


def enabled() -> bool:
    """The OpenTelemetry API is importable (spans still go nowhere until a provider is set)."""
    return _trace is not None


def recording() -> bool:
    """A tracer provider is set (the SDK's, or an app's): spans are worth building. Cheap to ask."""
    return _trace is not None and not isinstance(_trace.get_tracer_provider(), _trace.ProxyTracerProvider)


def capture_content() -> bool:
    return os.environ.get(CAPTURE_CONTENT_ENV, "").strip().lower() in ("1", "true", "yes")


def content(value: Any) -> str | None:
    """`value` as a redacted, bounded string when content capture is on; else None (left out)."""
    if not capture_content():
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    text = Redactor().text(text)
    return text if len(text) <= CONTENT_CHARS else text[:CONTENT_CHARS] + "…"


def _clean(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}


@contextmanager
def span(name: str, attributes: dict[str, Any], *, current: bool = True, client: bool = False) -> Iterator[Any]:
    """A span for the block (the current span inside it unless `current=False`); errors set its status."""
    if not recording():
        yield NO_SPAN
        return
    assert _trace is not None
    tracer = _trace.get_tracer(AGENT_NAME)
    kind = SpanKind.CLIENT if client else SpanKind.INTERNAL
    if current:
        with tracer.start_as_current_span(name, kind=kind, attributes=_clean(attributes), record_exception=False,
                                          set_status_on_exception=False) as s:
            try:
                yield s
            except BaseException as e:
                fail(s, e)
                raise
        return
    s = tracer.start_span(name, kind=kind, attributes=_clean(attributes))
    try:
        yield s
    except GeneratorExit:  # a stream closed early by its reader (a stop sequence): not an error
        s.set_attribute("finagent.closed_early", True)
        raise
    except BaseException as e:
        fail(s, e)
        raise
    finally:
        s.end()


def fail(s: Any, error: BaseException | str, kind: str | None = None) -> None:
    """Mark a span failed: `error.type` and a redacted first line, nothing else of the error."""
    if not s.is_recording():
        return
    message = error if isinstance(error, str) else (str(error).strip().splitlines() or [type(error).__name__])[0]
    s.set_attribute("error.type", kind or (type(error).__name__ if not isinstance(error, str) else "error"))
    s.set_status(Status(StatusCode.ERROR, Redactor().text(message)[:300]))


# -- the spans ------------------------------------------------------------------------------------
def turn_span(query: str, session: str | None) -> Any:
    if not recording():
        return nullcontext(NO_SPAN)
    return span(f"invoke_agent {AGENT_NAME}", {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": AGENT_NAME,
        "gen_ai.conversation.id": session,
        "gen_ai.input.messages": content([{"role": "user", "parts": [{"type": "text", "content": query}]}]),
    })


def llm_span(llm: Any, request: LLMRequest, purpose: str) -> Any:
    """One LLM call (`purpose`: routing, orchestration, analysis, rewrite); not made current (no children)."""
    if not recording():
        return nullcontext(NO_SPAN)
    model = getattr(llm, "model", None) or "unknown"
    return span(f"chat {model}", {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": provider_name(llm),
        "gen_ai.request.model": model,
        "gen_ai.request.max_tokens": request.max_tokens,
        "gen_ai.request.temperature": request.temperature,
        "finagent.llm.purpose": purpose,
        "finagent.llm.tools": [t.name for t in request.tools] or None,
        "gen_ai.input.messages": content([{"role": m.role, "content": m.content} for m in request.messages]),
    }, current=False, client=True)


def record_response(s: Any, response: LLMResponse) -> None:
    if not s.is_recording():
        return
    s.set_attributes(_clean({
        "gen_ai.response.model": response.model or None,
        "gen_ai.usage.input_tokens": response.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": response.usage.completion_tokens,
        "gen_ai.response.finish_reasons": [response.finish_reason] if response.finish_reason else None,
        "gen_ai.output.messages": content([{"role": "assistant", "content": response.text,
                                            "tool_calls": [{"name": c.name, "arguments": c.arguments} for c in response.tool_calls]}]),
    }))


def tool_span(name: str, kind: str, arguments: dict[str, Any], call_id: str | None = None) -> Any:
    """An orchestration (`kind="orchestration"`) or an atomic tool call (`kind="tool"`)."""
    if not recording():
        return nullcontext(NO_SPAN)
    return span(f"execute_tool {name}", {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": name,
        "gen_ai.tool.type": "function",
        "gen_ai.tool.call.id": call_id,
        "finagent.tool.kind": kind,
        "gen_ai.tool.call.arguments": content(arguments),
    })


def provider_name(llm: Any) -> str:
    inner = llm
    while getattr(inner, "inner", None) is not None:
        inner = inner.inner
    return {"OpenAIChat": "openai", "LlamaCppChat": "llama_cpp"}.get(type(inner).__name__, type(inner).__name__.lower())


# -- export ---------------------------------------------------------------------------------------
def configure_from_env(service_name: str = AGENT_NAME) -> bool:
    """Export spans over OTLP/HTTP when `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` is set (and the SDK installed).

    The exporter reads the standard OTEL_* variables itself (endpoint, headers, timeout); the
    service name is `OTEL_SERVICE_NAME` or `service_name`. Returns whether export was set up.
    """
    global _provider
    if _provider is not None:
        return True
    if not (os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        return False
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the OpenTelemetry SDK is not installed: pip install 'finagent[otel]'")
        return False
    assert _trace is not None
    if type(_trace.get_tracer_provider()).__name__ not in ("ProxyTracerProvider", "NoOpTracerProvider"):
        return False  # the application configured its own provider: the spans go there
    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME") or service_name})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _trace.set_tracer_provider(provider)
    _provider = provider
    return True


def shutdown() -> None:
    """Flush and stop the exporter set up by `configure_from_env` (the CLI calls it before exiting)."""
    global _provider
    if _provider is not None:
        _provider.shutdown()
        _provider = None


__all__ = ["configure_from_env", "shutdown", "capture_content", "enabled", "recording", "turn_span", "llm_span", "tool_span",
           "record_response", "fail", "span", "CAPTURE_CONTENT_ENV"]
