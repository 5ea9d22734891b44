"""The `@tool` decorator: a typed function becomes a `Tool` with a strict JSON schema."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, Protocol, TypeVar, get_type_hints, overload

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model
from pydantic.fields import FieldInfo
from tenacity import AsyncRetrying

from core import ToolSpec, retrying, strict_schema

from ._errors import ToolError, ToolTimeoutError
from ._validate import validate_arguments

DEFAULT_TIMEOUT = 30.0
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)


class Tool(Generic[R_co]):
    """A typed, validated, time-limited and retried callable the model can be offered.

    `R_co` is what the function returns: `RunContext.fetch(tool, ...)` gives an `R` back.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        name: str | None = None,
        description: str | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        retries: int = 2,
        cache: bool = True,
        examples: list[str] | None = None,
        requires_approval: bool = False,
    ):
        self.fn = fn
        self.name = name or fn.__name__
        self.description = description or _first_paragraph(inspect.getdoc(fn) or "")
        self.examples = list(examples or [])
        self.timeout = timeout
        self.retries = retries
        self.cacheable = cache
        self.requires_approval = requires_approval
        """A call has a side effect: the driver asks for approval before it runs (`agent.approval`)."""
        self.is_async = inspect.iscoroutinefunction(fn)
        self.args_model = _arguments_model(fn, self.name)
        hints = get_type_hints(fn, include_extras=True)
        self.return_type = hints.get("return", Any)
        self._return_adapter = TypeAdapter(self.return_type)
        self.parameters = strict_schema(self.args_model.model_json_schema())

    def __repr__(self) -> str:
        return f"<Tool {self.name}>"

    @property
    def spec(self) -> ToolSpec:
        return ToolSpec(self.name, describe_with_examples(self.description, self.examples), self.parameters)

    def validate(self, arguments: dict[str, Any] | str | BaseModel | None) -> BaseModel:
        """Parse and validate arguments (dict, JSON text or model); raises ToolArgumentsError."""
        return validate_arguments(self.args_model, arguments, self.name)

    async def execute(self, args: BaseModel) -> Any:
        """Run the function with validated arguments: per-attempt timeout, retries on transient errors.

        The first attempt runs directly (most calls succeed, and building a tenacity retrier per call
        cost two thirds of a no-op tool's time); after a transient failure, `retry_policy()` (tenacity)
        makes up to `retries` more attempts with exponential backoff and jitter.
        """
        kwargs = self.keyword_arguments(args)
        try:
            return await self._once(kwargs)
        except Exception as e:
            if self.retries < 1 or not _is_transient(e):
                raise
        async for attempt in self.retry_policy():
            with attempt:
                return await self._once(kwargs)

    def keyword_arguments(self, args: BaseModel) -> dict[str, Any]:
        """The function's keyword arguments from validated arguments."""
        return {name: getattr(args, name) for name in self.args_model.model_fields}

    def retry_policy(self) -> AsyncRetrying:
        """The policy for the attempts after a first transient failure (backing off before the first)."""
        return retrying(attempts=self.retries, retry_if=_is_transient, backoff=0.05, max_backoff=2.0, pause_first=True)

    async def _once(self, kwargs: dict[str, Any]) -> Any:
        call = self.fn(**kwargs) if self.is_async else asyncio.to_thread(self.fn, **kwargs)
        try:
            return await asyncio.wait_for(call, self.timeout)
        except asyncio.TimeoutError:
            raise ToolTimeoutError(f"{self.name} timed out after {self.timeout:g}s") from None

    def dump(self, value: Any) -> Any:
        """The JSON-ready form of a return value."""
        return self._return_adapter.dump_python(value, mode="json")

    def load(self, value: Any) -> R_co:
        """A JSON-ready result (what runners, caches and cassettes carry) as the typed return value."""
        return self._return_adapter.validate_python(value)

    async def __call__(self, **kwargs: Any) -> Any:
        """Validate and execute directly (outside a run): returns the value or raises ToolError."""
        return await self.execute(self.validate(kwargs))


class _ToolDecorator(Protocol):
    """`@tool(...)` with options: keeps the function's return type in `Tool[R]`."""

    @overload
    def __call__(self, fn: Callable[..., Awaitable[R]], /) -> Tool[R]: ...
    @overload
    def __call__(self, fn: Callable[..., R], /) -> Tool[R]: ...


@overload
def tool(fn: Callable[..., Awaitable[R]], /) -> Tool[R]: ...
@overload
def tool(fn: Callable[..., R], /) -> Tool[R]: ...
@overload
def tool(
    fn: None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    retries: int = 2,
    cache: bool = True,
    examples: list[str] | None = None,
    requires_approval: bool = False,
) -> _ToolDecorator: ...
def tool(
    fn: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    retries: int = 2,
    cache: bool = True,
    examples: list[str] | None = None,
    requires_approval: bool = False,
) -> Any:
    """Turn a typed function (sync or async) into a `Tool`. Usable bare (`@tool`) or with options.

    `examples`: a few requests the tool answers, in the user's words; they go with the description
    to every backend, and the local backend routes by them. `requires_approval`: the call has a side
    effect; an agent pauses the turn before it runs until a person approves it.
    """

    def wrap(f: Callable[..., Any]) -> Tool[Any]:
        return Tool(f, name=name, description=description, timeout=timeout, retries=retries, cache=cache, examples=examples,
                    requires_approval=requires_approval)

    return wrap(fn) if fn is not None else wrap


EXAMPLES_HEADER = "Example requests:"


def describe_with_examples(description: str, examples: list[str] | tuple[str, ...] = ()) -> str:
    """The description a model is offered: the author's text, then one "- request" line per example.

    The format is fixed so that backends can read the examples back (the local one routes by them).
    """
    lines = [" ".join(str(e).split()) for e in examples if str(e).strip()]
    if not lines:
        return description
    return description.rstrip() + "\n" + EXAMPLES_HEADER + "\n" + "\n".join("- " + line for line in lines)


def _arguments_model(fn: Callable[..., Any], name: str) -> type[BaseModel]:
    hints = get_type_hints(fn, include_extras=True)
    docs = _param_docs(inspect.getdoc(fn) or "")
    fields: dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"tool {name}: *args/**kwargs cannot be described by a schema")
        annotation = hints.get(p.name, Any)
        default = ... if p.default is inspect.Parameter.empty else p.default
        if p.name in docs and not _has_description(annotation):
            annotation = Annotated[annotation, Field(description=docs[p.name])]
        fields[p.name] = (annotation, default)
    model_name = "".join(part.capitalize() for part in name.replace(".", "_").split("_")) + "Args"
    return create_model(model_name, __config__=ConfigDict(extra="forbid"), **fields)


def _has_description(annotation: Any) -> bool:
    return any(isinstance(m, FieldInfo) and m.description for m in getattr(annotation, "__metadata__", ()))


def _first_paragraph(doc: str) -> str:
    return doc.split("\n\n")[0].replace("\n", " ").strip()


def _param_docs(doc: str) -> dict[str, str]:
    """Argument descriptions from a Google-style `Args:` section."""
    out: dict[str, str] = {}
    lines = doc.splitlines()
    inside = False
    for line in lines:
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:"):
            inside = True
            continue
        if inside:
            if not stripped or (not line.startswith(" ") and stripped.endswith(":")):
                if stripped.endswith(":") and not line.startswith(" "):
                    inside = False
                continue
            head, sep, text = stripped.partition(":")
            if sep and " " not in head.split("(")[0].strip():
                out[head.split("(")[0].strip()] = text.strip()
    return out


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ToolError):
        return exc.transient
    return isinstance(exc, (ConnectionError, TimeoutError))
