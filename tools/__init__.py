"""Atomic tools: small typed functions whose JSON schema comes from their signature."""

from core.schema import check_strict, strict_schema

from ._errors import ToolArgumentsError, ToolError, ToolTimeoutError, UnknownToolError
from ._events import ToolCallFinished, ToolCallStarted
from ._registry import register, registered_tools, unregister
from ._runner import Executor, Gate, ToolResult, ToolRunner, execute_and_dump, shorten
from ._tool import EXAMPLES_HEADER, Tool, describe_with_examples, tool
from ._validate import validate_arguments

__all__ = [
    "tool", "Tool", "ToolRunner", "ToolResult", "Executor", "Gate", "execute_and_dump", "shorten",
    "ToolError", "ToolArgumentsError", "ToolTimeoutError", "UnknownToolError",
    "ToolCallStarted", "ToolCallFinished", "register", "registered_tools", "unregister",
    "strict_schema", "check_strict", "validate_arguments", "describe_with_examples", "EXAMPLES_HEADER",
]
