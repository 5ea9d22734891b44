"""A tool and orchestrations with side effects, for the approval tests (also imported by a second process)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pydantic import BaseModel, Field

from agent import Agent
from agent.sessions import SQLiteSessionStore
from orchestrations import Orchestration, OrchestrationData, ReActLoop, RunContext, Table
from tools import tool

from .conftest import quote


def orders_file() -> Path:
    return Path(os.environ["ORDERS_FILE"])


def orders() -> list[dict]:
    path = orders_file()
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@tool(requires_approval=True, cache=False)
def place_order(symbol: str, quantity: int) -> dict:
    """Place a buy order (a side effect: the order is written to ORDERS_FILE)."""
    with orders_file().open("a") as f:
        f.write(json.dumps({"symbol": symbol, "quantity": quantity}) + "\n")
    return {"order": len(orders()), "symbol": symbol, "quantity": quantity}


class TradeParams(BaseModel):
    symbol: str
    quantity: int = Field(ge=1)


class Trade(Orchestration[TradeParams]):
    name = "trade"
    description = "Buy shares of a company."
    Params = TradeParams

    async def gather(self, params: TradeParams, ctx: RunContext) -> OrchestrationData:
        price = await ctx.fetch(quote, symbol=params.symbol)
        order = await ctx.fetch(place_order, symbol=params.symbol, quantity=params.quantity)
        rows = [[params.symbol, price["price"] if price else None, "placed" if order else "not placed"]]
        return OrchestrationData(tables={"order": Table("Order", ["symbol", "price", "status"], rows)})


class NoteParams(BaseModel):
    text: str


class Announce(Orchestration[NoteParams]):
    """An orchestration whose whole run is a side effect: approved as one call."""

    name = "announce"
    description = "Post an announcement to the team."
    Params = NoteParams
    requires_approval = True

    async def gather(self, params: NoteParams, ctx: RunContext) -> OrchestrationData:
        with orders_file().open("a") as f:
            f.write(json.dumps({"announce": params.text}) + "\n")
        return OrchestrationData(facts={"posted": params.text})


def build(llm, store_path: str | Path | None = None, **kw) -> Agent:
    kw.setdefault("store", SQLiteSessionStore(store_path) if store_path else None)
    return Agent(llm, orchestrations=[Trade, Announce, ReActLoop], tools=[quote, place_order], **kw)


if __name__ == "__main__":  # python -m tests.agent.approval_app STORE SESSION APPROVE_JSON ANSWER: resume in this process
    from agent.testing import ScriptedLLM

    store, session, approve, answer = sys.argv[1:5]
    reply = build(ScriptedLLM([answer]), store).resume(session, approve=json.loads(approve))
    print(json.dumps(reply.to_dict(), default=str))
