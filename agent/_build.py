"""The one public way to build the default agent: backends by name, the finance domain, grounding."""

from __future__ import annotations

from typing import Any

from agent._agent import Agent
from agent.llm import LLM


def make_llm(backend: str = "local", model: str | None = None, base_url: str | None = None, **options: Any) -> LLM:
    """`openai`: any OpenAI-compatible API; `local`: the embedded (or given) GGUF model in-process."""
    if backend == "openai":
        from agent.llm.openai import OpenAIChat

        return OpenAIChat(model, base_url=base_url, **options)
    if backend == "local":
        from agent.llm.llamacpp import LlamaCppChat

        return LlamaCppChat(model_path=model, **options)
    raise ValueError(f"unknown backend {backend!r}: use 'local' or 'openai'")


def load_defaults() -> None:
    """Import the market tools and the financial orchestrations, so that they register."""
    import orchestrations.finance  # noqa: F401
    import tools.market  # noqa: F401


def ground_query(query: str) -> dict[str, dict[str, list[str]]]:
    """Allowed values per orchestration argument for this query (tickers it names, sectors, ...)."""
    from orchestrations.grounding import ground_query as ground

    return ground(query)


def build_agent(
    llm: LLM | str = "local",
    *,
    model: str | None = None,
    base_url: str | None = None,
    cassette: Any = None,
    **agent_options: Any,
) -> Agent:
    """The default finance agent: the market tools, the seven orchestrations and query grounding.

    `llm` is a backend name (`"local"`, `"openai"`, with `model` / `base_url`) or an `LLM`.
    `cassette` (an `agent.replay.Cassette`) records the run, or replays it with no backend built.
    Other keyword arguments go to `Agent` (analysis_llm, max_concurrency, ...).
    """
    load_defaults()
    if cassette is not None:
        replaying = not cassette.recording and cassette.llm_source == "replay"
        inner = None if replaying else make_llm(llm, model, base_url) if isinstance(llm, str) else llm
        backend: LLM = cassette.wrap_llm(inner)
        agent_options.setdefault("tool_executor", cassette.tool_executor)
    else:
        backend = make_llm(llm, model, base_url) if isinstance(llm, str) else llm
    agent_options.setdefault("grounder", ground_query)
    return Agent(backend, **agent_options)
