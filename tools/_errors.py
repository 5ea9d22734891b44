"""Typed tool failures. A failing tool never stops a run: it becomes a `ToolFailure` the model reads."""

from __future__ import annotations


class ToolError(Exception):
    """Raise from a tool to report a failure the model (and the user) should see.

    `kind` is a short machine-readable category; `transient` marks errors worth retrying.
    """

    kind = "tool_error"
    transient = False

    def __init__(self, message: str, *, kind: str | None = None, transient: bool | None = None):
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        if transient is not None:
            self.transient = transient


class ToolArgumentsError(ToolError):
    """The arguments did not validate against the tool's schema."""

    kind = "invalid_arguments"


class ToolTimeoutError(ToolError):
    kind = "timeout"
    transient = True


class UnknownToolError(ToolError):
    kind = "unknown_tool"
