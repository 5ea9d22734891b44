"""The chat loop: read a line, run a command or a turn, show it live. One event loop for it all."""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from agent import AgentReply
from agent._errors import one_line
from agent.llm import CappedLLM

from ._render import TurnView, call_text, tools_table, trace_table

PROMPT = "you> "
HELP = """\
Ask a question about companies, sectors or portfolios, e.g.
  Compare JPMorgan Chase (JPM) and Bank of America (BAC) over the next 2 years.
Commands:
  /help                    this help
  /tools                   the orchestrations and atomic tools the agent can use
  /trace [FILE.json]       the last turn's full trace (or export it as JSON)
  /reset                   forget the conversation so far
  /backend [local|openai]  show the backend, or switch to another one
  /exit                    quit (or Ctrl-D); Ctrl-C cancels the current turn"""


def max_tokens_option(args: argparse.Namespace) -> int | None:
    value = getattr(args, "max_tokens", None) or os.environ.get("FINAGENT_MAX_TOKENS")
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"--max-tokens / FINAGENT_MAX_TOKENS must be a positive integer, not {value!r}") from None
    if n < 1:
        raise ValueError("--max-tokens / FINAGENT_MAX_TOKENS must be a positive integer")
    return n


class ChatREPL:
    def __init__(self, args: argparse.Namespace, console: Console | None = None):
        self.args = args
        self.console = console or Console(highlight=False)
        self.debug = bool(getattr(args, "debug", False))
        self.backend = args.backend
        self.max_tokens = max_tokens_option(args)
        self.agent: Any = None
        self.session: Any = None
        """The conversation: named (`--session NAME`, kept in the store across runs) or this run's."""
        self.cassette: Any = None
        self.last_reply: AgentReply | None = None
        self._turn: asyncio.Task | None = None
        self._pending_line: asyncio.Future | None = None
        self._prompt: Any = None
        self._cancelled_any = False
        self.tty = sys.stdin.isatty() and sys.stdout.isatty()

    # -- setup ------------------------------------------------------------------------------
    def build(self) -> None:
        from agent import build_agent
        from agent.replay import Cassette

        args = self.args
        with self.console.status(f"loading the {self.backend} backend…"):
            self.cassette = Cassette.from_options(getattr(args, "record", None), getattr(args, "replay", None))
            self.agent = build_agent(args.backend, model=args.model, base_url=args.base_url, cassette=self.cassette)
        name = getattr(args, "session", None)
        self.session = self.agent.open_session(name) if name else self.agent.session
        self._cap()

    def _cap(self) -> None:
        if self.max_tokens:
            self.agent.analysis_llm = CappedLLM(self.agent.llm, self.max_tokens)

    def describe_backend(self) -> str:
        llm = self.agent.llm
        where = llm.base_url
        extra = f" at {where}" if where and self.backend == "openai" else ""
        cap = f", answers capped at {self.max_tokens} tokens" if self.max_tokens else ""
        return f"{self.backend} ({llm.model}{extra}{cap})"

    def _make_prompt(self) -> Any:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        path = Path(os.environ.get("FINAGENT_HISTORY") or Path.home() / ".finagent_history")
        history: FileHistory | InMemoryHistory
        try:
            path.touch(exist_ok=True)
            history = FileHistory(str(path))
        except OSError:
            history = InMemoryHistory()
        return PromptSession(history=history)

    # -- the loop ---------------------------------------------------------------------------
    async def run(self) -> int:
        from tools.market import use_data

        self.build()
        loop = asyncio.get_running_loop()
        self._install_sigint()
        if self.tty:
            self._prompt = self._make_prompt()
        data = getattr(self.args, "data", None) or os.environ.get("FINAGENT_DATA") or "snapshot"
        self.console.print(Text(f"finagent chat · backend {self.describe_backend()} · data {data}", style="bold"))
        self.console.print(Text("Ask about companies, sectors or portfolios. /help for commands, Ctrl-D to quit.", style="dim"))
        if self.session.name:
            self.console.print(Text(f"session {self.session.name} · {len(self.session.memory.turns)} earlier turn(s)", style="dim"))
        try:
            with use_data(getattr(self.args, "data", None), getattr(self.args, "as_of", None)):
                while True:
                    line = await self.read_line()
                    if line is None:
                        break
                    line = line.strip()
                    if not line:
                        continue
                    if line.startswith("/"):
                        if not await self.command(line):
                            break
                        continue
                    await self.turn(line)
        finally:
            try:
                loop.remove_signal_handler(signal.SIGINT)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass
            if self.cassette is not None:
                self.cassette.close()
            await self._close_llm()
        if self._cancelled_any:  # a cancelled local generation finishes in its thread before the process can exit
            self.console.print(Text("(letting a cancelled model step finish before exiting…)", style="dim"))
        self.console.print(Text("bye", style="dim"))
        return 0

    async def _close_llm(self) -> None:
        if self.agent is not None and self.agent.llm is not None:
            try:
                await self.agent.llm.aclose()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass

    async def read_line(self) -> str | None:
        """The next line; None at end of input (Ctrl-D). Ctrl-C at the prompt just clears it."""
        while True:
            if self._prompt is not None:
                try:
                    return await self._prompt.prompt_async(PROMPT, handle_sigint=False)
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    return None
            self.console.file.write(PROMPT)
            self.console.file.flush()
            if self._pending_line is None:
                self._pending_line = asyncio.ensure_future(asyncio.to_thread(sys.stdin.readline))
            try:
                line = await asyncio.shield(self._pending_line)
            except asyncio.CancelledError:
                continue
            self._pending_line = None
            if not line:
                self.console.file.write("\n")
                return None
            if not self.tty:  # echo piped input so that a transcript reads like a session
                self.console.file.write(line if line.endswith("\n") else line + "\n")
            return line

    def _install_sigint(self) -> None:
        """Ctrl-C calls `_interrupt` (re-installed before each turn, in case a library replaced it)."""
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._interrupt)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - not on this platform
            pass

    def _interrupt(self) -> None:
        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
        else:
            self.console.file.write("\n(Ctrl-C cancels a running turn; /exit or Ctrl-D quits)\n")
            self.console.file.flush()

    async def turn(self, query: str) -> None:
        await self._show(lambda: self.agent.astream(query, self.session))
        while self.last_reply is not None and self.last_reply.pending:  # the turn paused: ask y/n per call
            approve: dict[str, bool] = {}
            for pending in self.last_reply.pending:
                approve[pending["id"]] = await self.ask_yes_no(f"approve {call_text(pending['name'], pending['arguments'])}? [y/N] ")
            await self._show(functools.partial(self.agent.astream_resume, self.session, approve))

    async def ask_yes_no(self, question: str) -> bool:
        self.console.print(Text(question.rstrip(), style="bold yellow"))
        line = await self.read_line()
        return (line or "").strip().lower() in ("y", "yes")

    async def _show(self, stream: Any) -> None:
        """Run a turn's event stream live (Ctrl-C cancels it)."""
        self._install_sigint()
        view = TurnView(self.console)
        events: list[Any] = []

        async def consume() -> None:
            async for event in stream():
                events.append(event)
                view.handle(event)

        self._turn = asyncio.ensure_future(consume())
        try:
            await self._turn
            self.last_reply = self.session.last_reply or AgentReply.from_events(events)
        except asyncio.CancelledError:
            if not self._turn.cancelled():
                raise
            view.cancelled()
            self._cancelled_any = True
            self.last_reply = AgentReply.from_events(events)
            self.last_reply.error = "cancelled"
        except Exception as e:  # noqa: BLE001 - a failed turn is one line; the session goes on
            view.stop()
            self.console.print(Text(f"error: {one_line(e)}", style="bold red"))
            if self.debug:
                traceback.print_exc()
            self.last_reply = AgentReply.from_events(events)
            self.last_reply.error = one_line(e)
        finally:
            view.stop()
            self._turn = None

    # -- commands ---------------------------------------------------------------------------
    async def command(self, line: str) -> bool:
        """Run a /command; False means quit."""
        name, _, rest = line.partition(" ")
        rest = rest.strip()
        name = name.lower()
        if name in ("/exit", "/quit", "/q"):
            return False
        if name in ("/help", "/?"):
            self.console.print(Text(HELP))
        elif name == "/tools":
            self.console.print(tools_table(self.agent.orchestrations, self.agent.tools))
        elif name == "/trace":
            self.trace(rest)
        elif name == "/reset":
            self.agent.reset(self.session)
            self.last_reply = None
            self.console.print(Text("the conversation is forgotten; the next question starts afresh", style="dim"))
        elif name == "/backend":
            await self.switch_backend(rest)
        else:
            self.console.print(Text(f"unknown command {name}; /help lists the commands", style="yellow"))
        return True

    def trace(self, path: str) -> None:
        if self.last_reply is None:
            self.console.print(Text("no turn yet: ask a question first", style="yellow"))
            return
        if not path:
            self.console.print(trace_table(self.last_reply.trace()))
            return
        data = {**self.last_reply.to_dict(), "tables": self.last_reply.tables, "trace": self.last_reply.trace()}
        try:
            Path(path).expanduser().write_text(json.dumps(data, indent=2, default=str))
        except OSError as e:
            self.console.print(Text(f"error: cannot write {path}: {e.strerror or e}", style="bold red"))
            return
        self.console.print(Text(f"trace written to {path} ({len(data['trace'])} events)", style="dim"))

    async def switch_backend(self, name: str) -> None:
        if not name:
            self.console.print(Text(f"backend: {self.describe_backend()}"))
            return
        if name not in ("local", "openai"):
            self.console.print(Text(f"unknown backend {name!r}: use /backend local or /backend openai", style="yellow"))
            return
        from agent import make_llm

        same = name == self.args.backend
        model = self.args.model if same else None
        base_url = self.args.base_url if name == "openai" else None
        try:
            with self.console.status(f"loading the {name} backend…"):
                llm = await asyncio.to_thread(make_llm, name, model, base_url)
        except Exception as e:  # noqa: BLE001 - e.g. no API key: say so, keep the current backend
            self.console.print(Text(f"error: {one_line(e)} (still using {self.backend})", style="bold red"))
            return
        await self._close_llm()
        if self.cassette is not None and self.cassette.recording:
            llm = self.cassette.wrap_llm(llm)
        self.agent.llm = self.agent.analysis_llm = llm
        self.agent.context_window = llm.context_window
        self.backend = name
        self._cap()
        self.console.print(Text(f"backend: {self.describe_backend()}"))

