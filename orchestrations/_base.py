"""The `Orchestration` base class: typed parameters, a data step, a prompt, an LLM synthesis."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel

from core import ToolSpec
from prompts import render
from tools import Tool, describe_with_examples, shorten, strict_schema, validate_arguments

from ._context import RunContext
from ._findings import Finding
from ._table import Table


@dataclass(slots=True)
class OrchestrationData:
    """The outcome of a data step: computed tables, facts for the prompt, and what is missing."""

    tables: dict[str, Table] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    answer: str | None = None
    """Set by orchestrations that answer by themselves (the ReAct loop): no synthesis call."""
    findings: list[Finding] = field(default_factory=list)
    """Plain sentences computed from the tables (set by `Orchestration.run` from `find`)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "tables": {k: t.to_dict() for k, t in self.tables.items()},
            "facts": self.facts,
            "missing": self.missing,
            "answer": self.answer,
            "findings": [f.to_dict() for f in self.findings],
        }

    def tables_markdown(self) -> str:
        return "\n\n".join(t.to_markdown() for t in self.tables.values()) or "(no data)"


P = TypeVar("P", bound=BaseModel)


class Orchestration(Generic[P]):
    """Subclass `Orchestration[MyParams]` with `name`, `description`, `Params = MyParams`, a
    `template` and `gather`.

    The driver offers every registered orchestration to the model as a function tool whose
    arguments are `Params`; it runs `gather` (the data step), renders `prompt`, and lets the
    analysis model write the answer from it.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    examples: ClassVar[list[str]] = []
    """A few requests this orchestration answers, written by its author: sent with the description
    to every backend; the local backend also routes by them."""
    Params: ClassVar[type[BaseModel]]
    requires_approval: ClassVar[bool] = False
    """Running it has a side effect: the driver pauses the turn until a person approves the call."""
    template: ClassVar[str | None] = None
    """File name in `prompts/` rendered with the params, the facts and the tables (Markdown)."""

    async def gather(self, params: P, ctx: RunContext) -> OrchestrationData:
        """The data step: call tools through `ctx` (concurrently where independent), compute tables."""
        raise NotImplementedError

    async def run(self, params: P, ctx: RunContext) -> OrchestrationData:
        """`gather`, with every failed tool call the step did not report itself listed in `missing`."""
        data = await self.gather(params, ctx)
        data.missing = data.missing or list(ctx.missing)
        if not data.findings and data.answer is None:
            data.findings = self.find(params, data)
        return data

    def find(self, params: P, data: OrchestrationData) -> list[Finding]:
        """The findings of a finished data step (default: none). Override to state what the tables show."""
        return []

    def prompt(self, params: P, data: OrchestrationData) -> str:
        """The analysis request for the LLM. Default: render `template` with everything computed."""
        return render(
            self.template or "orchestration_default.md",
            name=self.name,
            description=self.description,
            params=json.dumps(params.model_dump(mode="json")),
            tables=data.tables_markdown(),
            facts=json.dumps(data.facts, default=str, indent=1),
            missing="\n".join(f"- {m}" for m in data.missing) or "none",
            **{k: v for k, v in params.model_dump(mode="json").items() if isinstance(v, (str, int, float))},
        )

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        return strict_schema(cls.Params.model_json_schema())

    @classmethod
    def spec(cls) -> ToolSpec:
        return ToolSpec(cls.name, describe_with_examples(cls.description, cls.examples), cls.parameters_schema())

    @classmethod
    def validate(cls, arguments: Any) -> P:
        """Validate arguments from the model; raises ToolArgumentsError with a readable message."""
        return cast(P, validate_arguments(cls.Params, arguments, cls.name))

    @staticmethod
    def for_tool(tool: Tool) -> type[Orchestration[Any]]:
        """An atomic tool the router may call directly, as an orchestration: its data step is the one
        call, its prompt the result. The driver then treats every routed call the same way."""
        return type(f"ToolOrchestration_{tool.name}", (_ToolOrchestration,), {
            "name": tool.name, "description": tool.description, "Params": tool.args_model, "tool": tool,
            "requires_approval": tool.requires_approval,
        })


class _ToolOrchestration(Orchestration[BaseModel]):
    tool: ClassVar[Tool]

    async def gather(self, params: BaseModel, ctx: RunContext) -> OrchestrationData:
        result = await ctx.call(self.tool, **params.model_dump(mode="json"))
        return OrchestrationData(facts={"result": result.value}, missing=list(ctx.missing))

    def prompt(self, params: BaseModel, data: OrchestrationData) -> str:
        arguments = json.dumps(params.model_dump(mode="json"))
        result = json.dumps(data.facts.get("result"), default=str)
        failed = f"\nIt failed: {'; '.join(data.missing)}" if data.missing else ""
        return f"Data from {self.name}({arguments}):\n{shorten(result, 8000)}{failed}\n\nAnswer from this data."

    @classmethod
    def parameters_schema(cls) -> dict[str, Any]:
        return cls.tool.parameters


_REGISTRY: dict[str, type[Orchestration]] = {}


def register(cls: type[Orchestration]) -> type[Orchestration]:
    """Class decorator: make an orchestration one the driver offers by default."""
    _REGISTRY[cls.name] = cls
    return cls


def registered_orchestrations() -> dict[str, type[Orchestration]]:
    return dict(_REGISTRY)
