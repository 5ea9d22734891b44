"""`finagent sessions list | show NAME [--json] | delete NAME | approve NAME [ID ...]`: named sessions in the store."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import sys
from typing import Any

from agent.sessions import SessionStore, SQLiteSessionStore


def add_parser(sub: Any, backend_options: Any) -> None:
    p = sub.add_parser("sessions", help="list, show, delete named sessions, or approve a paused turn (store: env FINAGENT_SESSIONS)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="every session: turns, last update, whether a turn waits for approval")
    ls.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="a session's turns")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help='{"name", "turns": [{"question", "answer", "calls", "at"}], "pending"}')
    delete = actions.add_parser("delete", help="forget a session")
    delete.add_argument("name")
    approve = actions.add_parser("approve", help="resume a paused turn: approve the given call ids (or names), deny the rest")
    approve.add_argument("name")
    approve.add_argument("ids", nargs="*", metavar="ID", help="calls to approve (default: none: every waiting call is denied)")
    approve.add_argument("--all", action="store_true", help="approve every waiting call")
    approve.add_argument("--json", action="store_true")
    backend_options(approve)


def run(args: argparse.Namespace, store: SessionStore | None = None) -> int:
    store = store or SQLiteSessionStore()
    if args.action == "list":
        infos = store.sessions()
        if args.json:
            print(json.dumps([i.to_dict() for i in infos], indent=2))
        for i in [] if args.json else infos:
            waiting = "  (a turn waits for approval)" if i.pending else ""
            print(f"{i.name}\t{i.turns} turn(s)\t{_when(i.updated_at)}{waiting}")
        return 0
    if args.action == "show":
        turns = store.load(args.name)
        pending = store.pending(args.name)
        if not turns and pending is None and args.name not in {i.name for i in store.sessions()}:
            raise ValueError(f"no session named {args.name!r}")
        if args.json:
            waiting = pending["waiting"] if pending else []
            print(json.dumps({"name": args.name, "turns": [t.to_dict() for t in turns], "pending": waiting}, indent=2, default=str))
            return 0
        for t in turns:
            calls = " + ".join(c["name"] for c in t.calls)
            print(f"[{_when(t.at)}] you> {t.question}" + (f"\n  → {calls}" if calls else "") + f"\n{t.answer}\n")
        for c in pending["waiting"] if pending else []:
            print(f"waiting for approval: {c['name']}({json.dumps(c['arguments'])}) id {c['id']}")
        return 0
    if args.action == "delete":
        if not store.delete(args.name):
            raise ValueError(f"no session named {args.name!r}")
        print(f"deleted {args.name}")
        return 0
    return _approve(args, store)


def _approve(args: argparse.Namespace, store: SessionStore) -> int:
    from agent import build_agent
    from agent.events import TokenDelta
    from tools.market import use_data

    state = store.pending(args.name)
    if state is None:
        raise ValueError(f"no turn of session {args.name!r} waits for approval")
    approve = {c["id"]: True for c in state["waiting"]} if args.all else {k: True for k in args.ids}
    agent = build_agent(args.backend, model=args.model, base_url=args.base_url, store=store)

    session = agent.open_session(args.name)

    async def resume() -> Any:
        with use_data(args.data):
            async for event in agent.astream_resume(session, approve):
                if isinstance(event, TokenDelta) and not args.json:
                    print(event.text, end="", flush=True)
        return session.last_reply

    reply = asyncio.run(resume())
    return print_reply(reply, args.json, args.name)


def print_reply(reply: Any, as_json: bool, session: str | None) -> int:
    """The end of an `ask` or an approval: JSON or a newline, the calls waiting for approval, errors."""
    if as_json:
        print(json.dumps(reply.to_dict(), indent=2, default=str))
    else:
        print()
    for c in reply.pending:
        where = f"finagent sessions approve {session} {c['id']}" if session else "ask again with --session NAME to approve later"
        print(f"finagent: waiting for approval: {c['name']}({json.dumps(c['arguments'])}) id {c['id']} ({where})", file=sys.stderr)
    if reply.error:
        print(f"finagent: error: {reply.error}", file=sys.stderr)
        return 1
    return 3 if reply.pending else 0


def _when(at: float) -> str:
    return datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")
