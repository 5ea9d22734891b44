"""The routing step: offer orchestrations as tools, validate the model's calls, feed errors back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from agent.llm import LLMResponse, Message, ToolCall
from orchestrations import Orchestration
from tools import ToolError


@dataclass(slots=True)
class Route:
    """One validated call: an orchestration (an atomic tool routed directly is adapted to one) and its arguments."""

    call: ToolCall
    target: type[Orchestration[Any]]
    params: BaseModel

    @property
    def name(self) -> str:
        return self.call.name

    def arguments(self) -> dict[str, Any]:
        return self.params.model_dump(mode="json")


def validate_calls(
    response: LLMResponse, targets: dict[str, type[Orchestration[Any]]],
) -> tuple[list[Route], list[str]]:
    """Every call in `response` checked: routes for the valid ones, one message per invalid one."""
    routes: list[Route] = []
    errors: list[str] = []
    for call in response.tool_calls:
        target = targets.get(call.name)
        if target is None:
            known = ", ".join(targets)
            errors.append(f"{call.name!r} is not a function you can call; choose one of: {known}")
            continue
        try:
            arguments = call.parsed_arguments()
            params = target.validate(arguments)
        except (ValueError, json.JSONDecodeError) as e:
            errors.append(f"{call.name}: arguments are not a valid JSON object ({e})")
            continue
        except ToolError as e:
            errors.append(str(e))
            continue
        routes.append(Route(call, target, params))
    return routes, errors


def repair_messages(response: LLMResponse, errors: list[str]) -> list[Message]:
    """The invalid reply and a tool message per call explaining what to fix."""
    feedback = "Invalid call. " + " | ".join(errors) + " Call again with corrected arguments, or answer in plain text."
    calls = response.tool_calls
    out = [Message.assistant(response.message.content, calls)]
    out += [Message.tool(call, feedback) for call in calls]
    return out
