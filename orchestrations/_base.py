"""The `Orchestration` base class: typed parameters, a data step, a prompt, an LLM synthesis."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel

from prompts import render
from tools import describe_with_examples, strict_schema, validate_arguments

from ._context import RunContext
from ._table import Table


@dataclass(slots=True)
class OrchestrationData:
    """The outcome of a data step: computed tables, facts for the prompt, and what is missing."""

    tables: dict[str, Table] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    answer: str | None = None
    """Set by orchestrations that answer by themselves (the ReAct loop): no synthesis call."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "tables": {k: t.to_dict() for k, t in self.tables.items()},
            "facts": self.facts,
            "missing": self.missing,
            "answer": self.answer,
        }

    def tables_markdown(self) -> str:
        return "\n\n".join(t.to_markdown() for t in self.tables.values()) or "(no data)"


class Orchestration:
    """Subclass with `name`, `description`, a pydantic `Params` model, a `template` and `gather`.

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
    template: ClassVar[str | None] = None
    """File name in `prompts/` rendered with the params, the facts and the tables (Markdown)."""

    async def gather(self, params: BaseModel, ctx: RunContext) -> OrchestrationData:
        """The data step: call tools through `ctx` (concurrently where independent), compute tables."""
        raise NotImplementedError

    async def run(self, params: BaseModel, ctx: RunContext) -> OrchestrationData:
        """`gather`, with every failed tool call the step did not report itself listed in `missing`."""
        data = await self.gather(params, ctx)
        data.missing = data.missing or list(ctx.missing)
        return data

    def prompt(self, params: BaseModel, data: OrchestrationData) -> str:
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
    def spec(cls):
        from agent.llm import ToolSpec

        return ToolSpec(cls.name, describe_with_examples(cls.description, cls.examples), cls.parameters_schema())

    @classmethod
    def validate(cls, arguments: Any) -> BaseModel:
        """Validate arguments from the model; raises ToolArgumentsError with a readable message."""
        return validate_arguments(cls.Params, arguments, cls.name)


_REGISTRY: dict[str, type[Orchestration]] = {}


def register(cls: type[Orchestration]) -> type[Orchestration]:
    """Class decorator: make an orchestration one the driver offers by default."""
    _REGISTRY[cls.name] = cls
    return cls


def registered_orchestrations() -> dict[str, type[Orchestration]]:
    return dict(_REGISTRY)
