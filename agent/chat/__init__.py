"""`finagent chat`: the interactive chatbot (REPL) over an `Agent`.

Line editing and history (prompt_toolkit, ~/.finagent_history; plain stdin when it is not a
terminal), a live view of the routing decision and every tool call with its duration, computed
tables, the answer streamed as written, and token usage per turn. The whole session runs in one
event loop, so the data provider's HTTP client stays on the loop it was created on.
"""

from __future__ import annotations

import argparse
import asyncio

from ._render import TurnView, table_of, trace_table
from ._repl import CappedLLM, ChatREPL

__all__ = ["run_chat", "ChatREPL", "CappedLLM", "TurnView", "table_of", "trace_table"]


def run_chat(args: argparse.Namespace) -> int:
    """Run the chat session until /exit or Ctrl-D; startup errors propagate as one-line errors."""
    return asyncio.run(ChatREPL(args).run())
