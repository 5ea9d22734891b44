"""The example domains shipped in the repository, loaded as a user's own orchestrations are:
the travel app (`examples/travel_app.py`), the library domain (`bench/data/library_domain.py`), the
calendar and email domain (`bench/data/calendar_domain.py`), the music player
(`bench/data/music_domain.py`) and the kitchen assistant (`bench/data/kitchen_domain.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.types import ToolSpec

ROOT = Path(__file__).resolve().parents[3]
TRAVEL = ROOT / "examples/travel_app.py"
LIBRARY = ROOT / "bench/data/library_domain.py"
CALENDAR = ROOT / "bench/data/calendar_domain.py"
MUSIC = ROOT / "bench/data/music_domain.py"
KITCHEN = ROOT / "bench/data/kitchen_domain.py"


def specs(domain: Path) -> list[ToolSpec]:
    """The domain's orchestrations as the agent offers them (descriptions and examples)."""
    from bench.routing import load_domain

    return [o.spec() for o in load_domain(str(domain))[0]]


def agent_on(llm: Any, domain: Path) -> Any:
    """An `Agent` over the domain's orchestrations and tools, with `llm`."""
    from agent import Agent
    from bench.routing import load_domain

    orchestrations, tools = load_domain(str(domain))
    return Agent(llm, orchestrations=orchestrations, tools=tools)
