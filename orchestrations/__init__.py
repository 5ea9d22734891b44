"""Orchestrations: human-defined analyses that compose atomic tools and hand a prompt to an LLM."""

from ._base import Orchestration, OrchestrationData, register, registered_orchestrations
from ._context import RunContext
from ._findings import Finding
from ._table import Table, fmt
from .react import ReActLoop

__all__ = [
    "Finding", "Orchestration", "OrchestrationData", "RunContext", "Table", "fmt", "register",
    "registered_orchestrations", "ReActLoop",
]
