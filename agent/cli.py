"""`finagent`: ask a question, list or run tools, chat, serve, MCP, batch runs. Errors are one line on stderr."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any

from agent import load_defaults, telemetry
from agent._errors import one_line

EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finagent", description="Financial analysis agent: typed tools, orchestrations, function calling.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("query")
    _backend_options(ask)
    ask.add_argument("--json", action="store_true", help="print the calls, arguments, findings, tables, answer, its check and token usage as JSON")
    ask.add_argument("--record", metavar="PATH", help="record the run into a cassette")
    ask.add_argument("--replay", metavar="PATH", help="replay a recorded cassette (no network, model or data)")
    _session_option(ask)

    sub.add_parser("tools", help="list atomic tools and orchestrations with their schemas")

    run = sub.add_parser("tool", help="run one atomic tool, or an orchestration's data step, and print its JSON result")
    run.add_argument("name")
    run.add_argument("arguments", nargs="?", default="{}", help="JSON object of arguments")
    run.add_argument("--data", default=None, help="data provider: snapshot (default) or fmp")
    _as_of_option(run)

    chat = sub.add_parser("chat", help="interactive chatbot (REPL)")
    _backend_options(chat)
    chat.add_argument("--record", metavar="PATH", help="record the session into a cassette")
    chat.add_argument("--max-tokens", type=int, default=None, metavar="N",
                      help="cap each answer at N tokens (default: the backend's; env FINAGENT_MAX_TOKENS)")
    _session_option(chat)

    serve = sub.add_parser("serve", help="OpenAI-compatible server for the local model")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--model", default=None, help="GGUF file (default: the embedded SmolLM2)")
    serve.add_argument("--api-key", default=None, metavar="KEY",
                       help="require 'Authorization: Bearer KEY' (default: env FINAGENT_API_KEY; none: no auth)")
    serve.add_argument("--max-body-bytes", type=int, default=None, metavar="N", help="larger request bodies get 413 (default 4 MiB)")
    serve.add_argument("--max-queue", type=int, default=None, metavar="N",
                       help="requests that may wait for the model; more get 429 with Retry-After (default 16)")

    batch = sub.add_parser("batch", help="run many questions or direct calls from a JSONL file (resumable; locally or on Ray)")
    batch.add_argument("input", metavar="INPUT.jsonl", help='one JSON object a line: {"id", "question"} or {"id", "orchestration", "arguments"}')
    batch.add_argument("--out", required=True, metavar="OUT.jsonl", help="results, one line per item; ids already in it are skipped")
    batch.add_argument("--concurrency", type=int, default=4, metavar="N", help="items in flight per worker (default 4)")
    batch.add_argument("--findings-only", action="store_true", help="no analysis call: data steps only (questions are still routed)")
    batch.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                       help="run on Ray: a local cluster, or the cluster at ADDRESS ('auto', 'ray://host:10001')")
    batch.add_argument("--actors", type=int, default=None, metavar="N", help="with --ray: how many workers (default: what the CPUs hold)")
    batch.add_argument("--max-tokens", type=int, default=None, metavar="N", help="cap each answer at N tokens (default: the backend's)")
    batch.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="--backend openai: wait this long for one reply (default 60; raise it when requests queue for one server)")
    batch.add_argument("--retry-errors", action="store_true", help="run again the items whose line in OUT is an error (those lines are replaced)")
    batch.add_argument("--json", action="store_true", help="print the closing summary as JSON on stdout")
    _backend_options(batch)

    mcp = sub.add_parser("mcp", help="MCP server: the orchestrations and tools for MCP clients (stdio, or --http)")
    mcp.add_argument("--http", action="store_true", help="serve streamable HTTP at http://HOST:PORT/mcp instead of stdio")
    mcp.add_argument("--host", default="127.0.0.1")
    mcp.add_argument("--port", type=int, default=8765)
    mcp.add_argument("--api-key", default=None, help="with --http: require 'Authorization: Bearer KEY' (better: env FINAGENT_API_KEY, not seen in ps)")
    mcp.add_argument("--data", default=None, help="data provider: snapshot (default) or fmp")

    from agent import _sessions_cli

    _sessions_cli.add_parser(sub)
    return parser


def _session_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--session", metavar="NAME", default=None,
                   help="continue the named session, kept across runs (store: env FINAGENT_SESSIONS, default ~/.finagent/sessions.sqlite)")


def _backend_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", choices=["local", "openai"], default="local", help="LLM backend (default: local)")
    p.add_argument("--model", default=None, help="model name (openai) or GGUF path (local)")
    p.add_argument("--base-url", default=None, help="OpenAI-compatible base URL (default: OPENAI_BASE_URL or OpenAI)")
    p.add_argument("--data", default=None, help="data provider: snapshot (default, offline) or fmp (live, FMP_API_KEY)")
    _as_of_option(p)


def _as_of_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", dest="as_of", default=None, metavar="DATE", type=_iso_date,
                   help="read the data as of DATE (YYYY-MM-DD; default: the latest date the data has prices for)")


def _iso_date(text: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.command in TRACED:
        telemetry.configure_from_env()  # OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT is set
    try:
        return COMMANDS[args.command](args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - one clear line, never a traceback unless --debug
        if args.debug:
            raise
        print(f"finagent: error: {one_line(e)}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        telemetry.shutdown()


# -- commands ---------------------------------------------------------------------------------
def cmd_tools(args: argparse.Namespace) -> int:
    from orchestrations import Orchestration, ReActLoop, registered_orchestrations
    from tools import registered_tools

    load_defaults()
    listing: dict[str, Any] = {"orchestrations": [], "tools": []}
    analyses: list[type[Orchestration[Any]]] = [*registered_orchestrations().values(), ReActLoop]
    for cls in analyses:
        listing["orchestrations"].append({"name": cls.name, "description": cls.description, "parameters": cls.parameters_schema()})
    for t in registered_tools().values():
        listing["tools"].append({"name": t.name, "description": t.description, "parameters": t.parameters})
    print(json.dumps(listing, indent=2))
    return 0


def cmd_tool(args: argparse.Namespace) -> int:
    from orchestrations import Orchestration, ReActLoop, RunContext, registered_orchestrations
    from tools import ToolError, ToolRunner, registered_tools
    from tools.market import use_data

    load_defaults()
    try:
        arguments = json.loads(args.arguments)
    except json.JSONDecodeError as e:
        raise ValueError(f"JSON_ARGS is not valid JSON: {e.msg} at column {e.colno}") from None
    tools = registered_tools()
    orchestrations: dict[str, type[Orchestration[Any]]] = {**registered_orchestrations(), ReActLoop.name: ReActLoop}

    async def run() -> Any:
        with use_data(args.data, args.as_of):
            if args.name in tools:
                result = await ToolRunner(tools).call(args.name, arguments)
                if not result.ok:
                    raise ToolError(result.error or "tool failed")
                return result.value
            if args.name in orchestrations:
                cls = orchestrations[args.name]
                params = cls.validate(arguments)
                data = await cls().run(params, RunContext(ToolRunner(tools)))
                return data.to_dict()
            known = ", ".join([*tools, *orchestrations])
            raise ValueError(f"unknown tool or orchestration {args.name!r}; known: {known}")

    print(json.dumps(asyncio.run(run()), indent=2, default=str))
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from agent._sessions_cli import print_reply
    from tools.market import use_data

    agent, cassette = make_agent(args)
    session = agent.open_session(args.session) if args.session else agent.session

    async def run():
        printer = _AskPrinter()
        with use_data(args.data, args.as_of):
            async for event in agent.astream(args.query, session):
                if not args.json:
                    printer.handle(event)
        return session.last_reply

    try:
        reply = asyncio.run(run())
    finally:
        if cassette is not None:
            cassette.close()
    return print_reply(reply, args.json, args.session)


class _AskPrinter:
    """`finagent ask` as plain text: each analysis's findings, then the answer as it is written, then
    the check's line (what was checked: traced, attributed, or which figures are flagged)."""

    def __init__(self) -> None:
        self.answering = False

    def handle(self, event: Any) -> None:
        from agent.chat._render import check_text
        from agent.events import FiguresChecked, FinalAnswer, OrchestrationFinished, TokenDelta

        if isinstance(event, OrchestrationFinished):
            lines = [f"  • {f['text']}" for f in event.findings] + [f"  missing: {m}" for m in event.missing if not event.findings]
            if lines:
                print(f"{event.name} findings:", *lines, sep="\n")
        elif isinstance(event, TokenDelta):
            if not self.answering:
                print("answer:")
                self.answering = True
            print(event.text, end="", flush=True)
        elif isinstance(event, FiguresChecked):
            if self.answering:
                print()
                self.answering = False
            if event.rewritten is not None:
                print("rewritten answer (flagged figures corrected):", event.rewritten, sep="\n")
            print(check_text(event))
        elif isinstance(event, FinalAnswer) and self.answering:
            print()


def make_agent(args: argparse.Namespace) -> tuple[Any, Any]:
    """The agent of the CLI options, and the cassette it records to or replays from (or None)."""
    from agent import build_agent
    from agent.replay import Cassette

    cassette = Cassette.from_options(getattr(args, "record", None), getattr(args, "replay", None))
    return build_agent(args.backend, model=args.model, base_url=args.base_url, cassette=cassette), cassette


def cmd_chat(args: argparse.Namespace) -> int:
    from agent.chat import run_chat

    return run_chat(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from agent.server import run_server

    return run_server(args)


def cmd_batch(args: argparse.Namespace) -> int:
    from agent.batch import BatchConfig, RayOptions, run_batch
    from agent.batch._progress import TerminalProgress

    config = BatchConfig(backend=args.backend, model=args.model, base_url=args.base_url, data=args.data,
                         findings_only=args.findings_only, concurrency=args.concurrency, max_tokens=args.max_tokens,
                         timeout=args.timeout)
    if args.actors is not None and args.ray is None:
        raise ValueError("--actors needs --ray")
    ray = None
    if args.ray is not None:
        ray = RayOptions(None if args.ray == "local" else args.ray, actors=args.actors)
    progress = TerminalProgress()
    try:
        summary = run_batch(args.input, args.out, config, ray=ray, progress=progress, retry_errors=args.retry_errors)
    finally:
        progress.stop()
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    print(summary.text(), file=sys.stderr)
    return 0 if summary.ok else EXIT_ERROR


def cmd_mcp(args: argparse.Namespace) -> int:
    from agent.mcp import run_mcp

    return run_mcp(args)


def cmd_sessions(args: argparse.Namespace) -> int:
    from agent import _sessions_cli

    return _sessions_cli.run(args)


COMMANDS = {"ask": cmd_ask, "tools": cmd_tools, "tool": cmd_tool, "chat": cmd_chat, "serve": cmd_serve, "mcp": cmd_mcp,
            "sessions": cmd_sessions, "batch": cmd_batch}
TRACED = ("ask", "chat", "serve", "mcp")
"""The commands that export OpenTelemetry spans when OTEL_EXPORTER_OTLP_ENDPOINT is set."""

if __name__ == "__main__":
    sys.exit(main())
