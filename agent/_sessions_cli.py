"""`finagent sessions list | show NAME [--json] | delete NAME`: named sessions in the store (env FINAGENT_SESSIONS)."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import Any

from agent.sessions import SessionStore, SQLiteSessionStore


def add_parser(sub: Any) -> None:
    p = sub.add_parser("sessions", help="list, show or delete named sessions (store: env FINAGENT_SESSIONS)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="every session: turns, last update, whether a turn waits for approval")
    ls.add_argument("--json", action="store_true")
    show = actions.add_parser("show", help="a session's turns")
    show.add_argument("name")
    show.add_argument("--json", action="store_true", help='{"name", "turns": [{"question", "answer", "calls", "at"}], "pending"}')
    delete = actions.add_parser("delete", help="forget a session")
    delete.add_argument("name")


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
    raise ValueError(f"unknown sessions action {args.action!r}")


def print_reply(reply: Any, as_json: bool, session: str | None) -> int:
    """The end of an `ask` or an approval: JSON or a newline, the calls waiting for approval, errors."""
    if as_json:
        print(json.dumps(reply.to_dict(), indent=2, default=str))
    else:
        print()
    for c in reply.pending:
        where = f"session {session}: Agent.resume({session!r}, approve={{...}}) or finagent chat --session {session}" if session else "use --session NAME to approve later"
        print(f"finagent: waiting for approval: {c['name']}({json.dumps(c['arguments'])}) id {c['id']} ({where})", file=sys.stderr)
    if reply.error:
        print(f"finagent: error: {reply.error}", file=sys.stderr)
        return 1
    return 3 if reply.pending else 0


def _when(at: float) -> str:
    return datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")
