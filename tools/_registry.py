"""The default registry of atomic tools offered to models and listed by `finagent tools`."""

from __future__ import annotations

from ._tool import Tool

_REGISTRY: dict[str, Tool] = {}


def register(*tools: Tool) -> None:
    for t in tools:
        _REGISTRY[t.name] = t


def registered_tools() -> dict[str, Tool]:
    """Every registered atomic tool by name (importing `tools` registers the market tools)."""
    return dict(_REGISTRY)


def unregister(*names: str) -> None:
    """Remove tools by name (e.g. those of an MCP server whose connection closed)."""
    for name in names:
        _REGISTRY.pop(name, None)
