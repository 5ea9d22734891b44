"""Prompt templates (Markdown with `$placeholders`), shipped as package data."""

from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


@cache
def load(name: str) -> str:
    """The raw text of a template in this package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def render(template: str, /, **values: object) -> str:
    """Render a template; unknown `$placeholders` are left as they are."""
    return Template(load(template)).safe_substitute(**{k: str(v) for k, v in values.items()})


__all__ = ["load", "render"]
