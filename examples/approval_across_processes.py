"""A tool with a side effect, approved in a second process.

    python examples/approval_across_processes.py

Process 1 asks to buy shares. `place_order` is marked `requires_approval=True`, so the turn pauses
before it runs: an `ApprovalRequested` event names the call, and the paused turn is saved in a SQLite
session store. Process 2 (started here as a subprocess, as a web app's next request would be) opens
the same store and calls `agent.resume(session, approve={call_id: True})`: the order is placed
there, once, and the turn finishes. A denied call is never run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from agent import Agent
from agent.llm import LLM
from agent.sessions import SQLiteSessionStore
from orchestrations import Orchestration, OrchestrationData, RunContext
from tools import tool
from tools.market import get_stock_price

ORDERS_ENV = "EXAMPLE_ORDERS_FILE"


@tool(requires_approval=True, cache=False)
def place_order(symbol: str, quantity: int, limit_price: float) -> dict:
    """Send a limit buy order to the broker (here: append it to a file). A side effect: needs approval."""
    path = Path(os.environ[ORDERS_ENV])
    with path.open("a") as f:
        f.write(json.dumps({"symbol": symbol, "quantity": quantity, "limit_price": limit_price}) + "\n")
    return {"order_id": sum(1 for _ in path.open()), "status": "sent"}


class BuyParams(BaseModel):
    symbol: str = Field(description="Ticker to buy, e.g. AAPL")
    quantity: int = Field(ge=1, description="Number of shares")


class BuyShares(Orchestration[BuyParams]):
    name = "buy_shares"
    description = "Buy a number of shares of a company at a limit of its latest price."
    examples = ["Buy 10 shares of Apple (AAPL)", "Purchase 5 MSFT shares", "Place an order for 20 shares of JPM"]
    Params = BuyParams

    async def gather(self, params: BuyParams, ctx: RunContext) -> OrchestrationData:
        quote = await ctx.fetch(get_stock_price, symbol=params.symbol)
        if quote is None:
            return OrchestrationData(answer=f"No order: no price for {params.symbol}.", missing=list(ctx.missing))
        order = await ctx.fetch(place_order, symbol=params.symbol, quantity=params.quantity, limit_price=quote.price)
        if order is None:  # denied (or failed): the reason is in ctx.missing
            return OrchestrationData(answer=f"No order was placed for {params.symbol}: {'; '.join(ctx.missing)}")
        return OrchestrationData(facts={"order": order}, answer=(
            f"Order {order['order_id']} sent: buy {params.quantity} {params.symbol} at a limit of {quote.price:.2f} "
            f"(last price, {quote.as_of})."))


def make_agent(llm: LLM, store_path: Path) -> Agent:
    return Agent(llm, orchestrations=[BuyShares], tools=[get_stock_price, place_order], store=SQLiteSessionStore(store_path))


def default_llm() -> LLM:
    from agent import make_llm

    return make_llm("openai") if os.environ.get("OPENAI_API_KEY") else make_llm("local")


def approve_in_this_process(folder: Path, session: str, call_id: str) -> dict:
    """What the second process does: open the same store, approve the call, finish the turn.

    This turn needs no model (the orchestration writes its own confirmation), so a model that fails if
    called stands in; an app would pass its usual LLM."""
    from agent.testing import ScriptedLLM

    reply = make_agent(ScriptedLLM([]), folder / "sessions.sqlite").resume(session, approve={call_id: True})
    return reply.to_dict()


def main(llm: LLM | None = None, folder: Path | None = None) -> dict:
    folder = Path(folder or tempfile.mkdtemp(prefix="finagent-approval-"))
    os.environ[ORDERS_ENV] = str(folder / "orders.jsonl")
    agent = make_agent(llm or default_llm(), folder / "sessions.sqlite")

    reply = agent.chat("Buy 10 shares of Apple (AAPL)", session="desk")  # process 1: the turn pauses
    if not reply.paused:
        print("the model did not route to buy_shares:", reply.text)
        return {"pending": [], "orders": []}
    (pending,) = reply.pending
    print(f"waiting for approval: {pending['name']}({pending['arguments']}) id {pending['id']}")
    print("orders so far:", _orders(folder))

    second = subprocess.run(  # process 2: approves and resumes the saved turn
        [sys.executable, __file__, "approve", str(folder), "desk", pending["id"]],
        capture_output=True, text=True, check=True, env={**os.environ, ORDERS_ENV: str(folder / "orders.jsonl")},
    )
    resumed = json.loads(second.stdout)
    print("second process:", resumed["answer"])
    print("orders now:", _orders(folder))
    return {"pending": reply.pending, "resumed": resumed, "orders": _orders(folder), "folder": str(folder)}


def _orders(folder: Path) -> list[dict]:
    path = folder / "orders.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


if __name__ == "__main__":
    if sys.argv[1:2] == ["approve"]:
        folder, session, call_id = sys.argv[2:5]
        print(json.dumps(approve_in_this_process(Path(folder), session, call_id), default=str))
    else:
        main()
