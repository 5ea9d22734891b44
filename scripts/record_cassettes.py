"""Record the committed local-model cassettes in tests/cassettes/local/ (issue 5 part 5).

Each run is real: the embedded SmolLM2 model (`LlamaCppChat()`, default settings) routes the
query and writes the answer; the market tools read the offline snapshot. For every orchestration
the candidate queries are tried in order until the model routes one to that orchestration; that
run is recorded. `react.json` is one `ReActLoop` ("research") run, found the same way (the
agent then offers only "research", so the model picks it or answers in text). The index
(tests/cassettes/local/index.json) maps each cassette file to its query and expected orchestration.

    python scripts/record_cassettes.py                # record all
    python scripts/record_cassettes.py --only react   # record some (names or "react")
    python scripts/record_cassettes.py --probe        # routing only: print where each query goes

The replay tests are tests/agent/replay/test_local_cassettes.py. Never hand-edit the cassettes:
re-run this script.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "tests" / "cassettes" / "local"
INDEX = OUT / "index.json"

CANDIDATES: dict[str, list[str]] = {
    "sector_analysis": [
        "Give me a sector analysis of the top 5 energy companies.",
        "Analyze the technology sector.",
        "Provide a sector analysis of the healthcare sector.",
    ],
    "company_comparative_analysis": [
        "Compare Microsoft (MSFT) and Apple (AAPL) over the next 3 years.",
        "Compare MSFT and AAPL.",
        "Do a comparative analysis of Microsoft (MSFT) and Apple (AAPL).",
    ],
    "financial_health_assessment": [
        "How financially healthy is Johnson & Johnson (JNJ)?",
        "Assess the financial health of Johnson & Johnson (JNJ).",
        "How healthy are JPM's finances?",
    ],
    "portfolio_recommendation": [
        "I have $20,000 to invest with a low risk tolerance. Recommend a portfolio across the healthcare and utilities sectors.",
        "Recommend a portfolio for $20,000 with low risk in the healthcare and utilities sectors.",
        "Build me a low-risk portfolio with $10,000.",
        "Give me a portfolio recommendation for $20,000 with a low risk tolerance.",
        "Portfolio recommendation: invest $50,000 with medium risk tolerance.",
        "Recommend a portfolio of stocks for me.",
        "What portfolio allocation do you recommend for $20,000 and low risk?",
    ],
    "strategic_investment_analysis": [
        "Perform a strategic investment analysis for Tesla (TSLA) with a medium-term time horizon.",
        "Should I invest in Tesla (TSLA) for the medium term? Give me a strategic investment analysis.",
        "Strategic investment analysis of TSLA.",
    ],
    "market_trend_prediction": [
        "Predict market trends for the healthcare sector over the next year.",
        "What are the market trends for the healthcare sector next year?",
        "Predict the market trend of the technology sector.",
    ],
    "company_competitive_analysis": [
        "Conduct a competitive analysis for Apple (AAPL).",
        "Who are Apple's (AAPL) competitors? Give me a competitive analysis.",
        "Competitive analysis of AAPL.",
        "Company competitive analysis for Apple (AAPL) against its industry peers.",
        "Analyze Apple's (AAPL) competitive position and its competitors.",
        "Who are Apple's competitors?",
    ],
}
REACT_CANDIDATES = [
    "Use the data tools to find Apple's latest stock price.",
    "Research Apple (AAPL) step by step with the data tools: find its latest stock price.",
    "Find the latest stock price of Apple (AAPL).",
    "Look up Apple's (AAPL) latest stock price and its company profile.",
]
REACT = "research"


def build_agent(llm, cassette, react: bool = False):
    """The agent as the replay tests build it: same grounder, same orchestrations."""
    from agent import Agent
    from agent import ground_query, load_defaults

    load_defaults()
    kwargs = {}
    if react:
        from orchestrations.react import ReActLoop

        kwargs["orchestrations"] = [ReActLoop]
    return Agent(cassette.wrap_llm(llm), grounder=ground_query, tool_executor=cassette.tool_executor, **kwargs)


async def record(llm, path: Path, query: str, react: bool = False):
    from agent.replay import Cassette

    tmp = path.with_name(f".{path.name}.recording")
    cassette = Cassette(tmp, mode="record")
    agent = build_agent(llm, cassette, react=react)
    t = time.perf_counter()
    reply = await agent.achat(query)
    cassette.close()
    took = time.perf_counter() - t
    return reply, tmp, took


async def probe(llm, query: str, react: bool = False) -> list[str]:
    from agent import Agent
    from agent import ground_query, load_defaults

    load_defaults()
    kwargs = {}
    if react:
        from orchestrations.react import ReActLoop

        kwargs["orchestrations"] = [ReActLoop]
    outcome = await Agent(llm, grounder=ground_query, **kwargs).route(query)
    return [r.name for r in outcome.routes] if outcome.routes else [f"<text/error: {outcome.error or outcome.text[:60]!r}>"]


def load_index() -> dict:
    return json.loads(INDEX.read_text()) if INDEX.exists() else {}


def save_index(index: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    INDEX.write_text(json.dumps(dict(sorted(index.items())), indent=2) + "\n")


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="orchestration names and/or 'react'")
    parser.add_argument("--probe", action="store_true", help="only route the candidate queries")
    args = parser.parse_args()
    os.environ.setdefault("FINAGENT_DATA", "snapshot")

    from agent.llm.llamacpp import LlamaCppChat

    llm = LlamaCppChat()
    wanted = set(args.only or [*CANDIDATES, "react"])
    if args.probe:
        for name, queries in CANDIDATES.items():
            if name in wanted:
                for q in queries:
                    print(f"{name:32} <- {await probe(llm, q)} {q}", flush=True)
        return 0

    index = load_index()
    failures = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name, queries in [*CANDIDATES.items(), (REACT, REACT_CANDIDATES)]:
        if name not in wanted and not (name == REACT and "react" in wanted):
            continue
        react = name == REACT
        for query in queries:
            routed = await probe(llm, query, react=react)
            print(f"[{name}] probe {query!r} -> {routed}", flush=True)
            if routed != [name]:
                continue
            path = OUT / ("react.json" if react else f"{name}.json")
            reply, tmp, took = await record(llm, path, query, react=react)
            got = [c["name"] for c in reply.calls]
            print(f"[{name}] recorded in {took:.1f}s: calls={got} tools={[c['tool'] for c in reply.tool_calls]} "
                  f"ok={reply.ok} answer={reply.text[:100]!r}", flush=True)
            if got == [name] and reply.ok and reply.text.strip() and reply.tool_calls:
                tmp.replace(path)
                index[path.name] = {"query": query, "orchestration": name, "react": react}
                save_index(index)
                break
            tmp.unlink(missing_ok=True)
        else:
            failures.append(name)
            print(f"[{name}] NO candidate query routed here", flush=True)

    if failures:
        print("not recorded:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
