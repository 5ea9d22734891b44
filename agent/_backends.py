"""Building an LLM backend from a name (used by the CLI, the chatbot and the server)."""

from __future__ import annotations

from agent.llm import LLM


def make_llm(backend: str = "local", model: str | None = None, base_url: str | None = None, **options) -> LLM:
    """`openai`: any OpenAI-compatible API; `local`: the embedded (or given) GGUF model in-process."""
    if backend == "openai":
        from agent.llm.openai import OpenAIChat

        return OpenAIChat(model, base_url=base_url, **options)
    if backend == "local":
        from agent.llm.llamacpp import LlamaCppChat

        return LlamaCppChat(model_path=model, **options)
    raise ValueError(f"unknown backend {backend!r}: use 'local' or 'openai'")
