"""A custom atomic tool and a custom orchestration in a few lines, run through an Agent.

    python examples/custom_tool_and_orchestration.py
"""

from __future__ import annotations

import os

from pydantic import BaseModel, Field

from agent import Agent
from agent.llm import LLM
from orchestrations import Orchestration, OrchestrationData, RunContext, Table
from tools import tool

RATES = {("USD", "EUR"): 0.92, ("USD", "GBP"): 0.79, ("USD", "JPY"): 151.3}


@tool
def exchange_rate(base: str, quote: str) -> float:
    """Spot exchange rate: how many units of `quote` one unit of `base` buys.

    Args:
        base: ISO currency code, e.g. USD
        quote: ISO currency code, e.g. EUR
    """
    rate = RATES.get((base.upper(), quote.upper()))
    if rate is None:
        raise ValueError(f"no rate for {base}/{quote}")
    return rate


class CurrencyParams(BaseModel):
    amount: float = Field(description="Amount in US dollars to convert")
    currencies: list[str] = Field(description="ISO codes to convert into, e.g. ['EUR', 'GBP']")


class CurrencyBrief(Orchestration[CurrencyParams]):
    name = "currency_brief"
    description = "Convert a US-dollar amount into other currencies at today's rates and comment on it."
    Params = CurrencyParams

    async def gather(self, params: CurrencyParams, ctx: RunContext) -> OrchestrationData:
        rates = await ctx.gather(*(ctx.fetch(exchange_rate, base="USD", quote=c) for c in params.currencies))
        rows = [[c, r, round(params.amount * r, 2)] for c, r in zip(params.currencies, rates) if r is not None]
        table = Table(f"{params.amount:,.2f} USD", ["currency", "rate", "amount"], rows)
        return OrchestrationData(tables={"conversion": table})


def default_llm() -> LLM:
    from agent import make_llm

    return make_llm("openai") if os.environ.get("OPENAI_API_KEY") else make_llm("local")


def main(llm: LLM | None = None) -> dict:
    agent = Agent(llm or default_llm(), orchestrations=[CurrencyBrief], tools=[exchange_rate])
    reply = agent.chat("How much is 250 dollars in euros and pounds?")
    print("calls:", reply.calls)
    for name, table in reply.tables.items():
        print(name, table["columns"], table["rows"])
    print("answer:", reply.text)
    return {"calls": reply.calls, "tables": reply.tables, "answer": reply.text, "tool_calls": reply.tool_calls}


if __name__ == "__main__":
    main()
