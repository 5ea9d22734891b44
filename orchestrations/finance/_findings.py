"""The findings of the seven financial analyses, computed from their tables (no model involved).

Each function reads the tables its orchestration built and returns a few `Finding`s: rankings,
comparisons against peers or the index, changes over the period, ratios against thresholds, and
what is missing. Figures are written as the tables print them (`fmt`), percentages with a `%`.
"""

from __future__ import annotations

from typing import Any

from .._findings import Finding, FindingBuilder
from .._table import Table

CURRENT_RATIO_FLOOR = 1.0
"""Below 1, current liabilities exceed current assets."""
DEBT_EQUITY_CEILING = 1.0
"""Above 1, the company owes more than its book equity."""
INTEREST_COVER_FLOOR = 3.0
"""Operating income under 3x interest expense leaves a thin cushion."""


def _rows(table: Table | None) -> list[dict[str, Any]]:
    """The table's rows as dicts keyed by column name."""
    if table is None:
        return []
    return [dict(zip(table.columns, row)) for row in table.rows]


def _named(table: Table | None, key: str = "metric") -> dict[str, dict[str, Any]]:
    return {str(r.get(key)): r for r in _rows(table)}


def _first_last(row: dict[str, Any], years: list[str]) -> tuple[str, Any, str, Any] | None:
    present = [(y, row.get(y)) for y in years if row.get(y) is not None]
    if len(present) < 2:
        return None
    return present[0][0], present[0][1], present[-1][0], present[-1][1]


# -- financial_health_assessment ------------------------------------------------------------
def health(symbol: str, tables: dict[str, Table], missing: list[str]) -> list[Finding]:
    b = FindingBuilder()
    table = tables.get("health")
    years = list(table.columns[1:]) if table else []
    rows = _named(table)
    src = "health"
    latest = years[-1] if years else None
    if latest:
        cr = rows.get("current ratio", {}).get(latest)
        if cr is not None:
            side = "above" if cr >= CURRENT_RATIO_FLOOR else "below"
            b.add(f"{symbol}'s current ratio is {{}} (year to {latest}), {side} the {{}} comfort level.", cr, CURRENT_RATIO_FLOOR,
                  source=f"{src}[current ratio]")
        de = rows.get("debt / equity", {}).get(latest)
        if de is not None:
            level = "more debt than book equity" if de > DEBT_EQUITY_CEILING else "less debt than book equity"
            b.add(f"{symbol}'s debt to equity is {{}} (year to {latest}): {level}.", de, source=f"{src}[debt / equity]")
        roe = rows.get("ROE %", {}).get(latest)
        b.add(f"{symbol}'s return on equity is {{}} (year to {latest}).", roe, pct=True, source=f"{src}[ROE %]")
        fcf = rows.get("free cash flow", {}).get(latest)
        if fcf is not None:
            b.add(f"{symbol} generated {{}} of free cash flow in the year to {latest}." if fcf >= 0
                  else f"{symbol} burned {{}} of free cash flow in the year to {latest}.", abs(fcf), source=f"{src}[free cash flow]")
        cover = rows.get("interest coverage", {}).get(latest)
        if cover is not None:
            side = "comfortably above" if cover >= INTEREST_COVER_FLOOR else "below"
            b.add(f"{symbol}'s operating income covers its interest {{}} times, {side} the {{}} times floor.", cover,
                  INTEREST_COVER_FLOOR, source=f"{src}[interest coverage]")
    for metric in ("net margin %", "operating margin %"):
        span = _first_last(rows.get(metric, {}), years)
        if span:
            y0, v0, y1, v1 = span
            verb = "rose" if v1 > v0 else "fell" if v1 < v0 else "held"
            b.add(f"{symbol}'s {metric[:-2]} {verb} from {{}} ({y0}) to {{}} ({y1}).", v0, v1, pct=True, source=f"{src}[{metric}]")
            break
    if latest:
        _health_verdict(b, symbol, latest, rows)
        absent = [name for name, row in rows.items() if row.get(latest) is None]
        if absent:
            b.findings.append(Finding(f"Not available for {symbol}: {', '.join(absent)} (not reported).", [], src, "caveat"))
    b.missing(missing)
    return b.findings


def _health_verdict(b: FindingBuilder, symbol: str, latest: str, rows: dict[str, dict[str, Any]]) -> None:
    """The checks above in one verdict: how many thresholds the latest year meets, and which it misses."""
    checks = {
        "current ratio": lambda v: v >= CURRENT_RATIO_FLOOR,
        "debt to equity": lambda v: v <= DEBT_EQUITY_CEILING,
        "interest cover": lambda v: v >= INTEREST_COVER_FLOOR,
        "free cash flow": lambda v: v >= 0,
    }
    metric = {"current ratio": "current ratio", "debt to equity": "debt / equity", "interest cover": "interest coverage",
              "free cash flow": "free cash flow"}
    results = {name: ok(rows[metric[name]][latest]) for name, ok in checks.items()
               if rows.get(metric[name], {}).get(latest) is not None}
    if len(results) < 2:
        return
    missed = [name for name, ok in results.items() if not ok]
    tail = f" (it misses on {' and '.join(missed)})" if missed else ""
    b.add(f"{symbol} meets {{}} of the {{}} health thresholds for the year to {latest}{tail}.",
          len(results) - len(missed), len(results), source="health", kind="verdict")


# -- company_comparative_analysis / strategic / competitive -----------------------------------
_COMPARE = (
    # column, phrase, higher is better
    ("revenue CAGR %", "revenue growth a year (CAGR)", True, True),
    ("net margin %", "net margin", True, True),
    ("P/E", "P/E", False, False),
    ("return %", "price return", True, True),  # the lookback: the table title's days
    ("volatility %", "volatility", False, True),
    ("max drawdown %", "max drawdown", True, True),
)


def comparative(tables: dict[str, Table], missing: list[str], partial: list[str] | None = None) -> list[Finding]:
    b = FindingBuilder()
    b.findings += [Finding(text, [], "comparison") for text in partial or []]
    rows = _rows(tables.get("comparison"))
    if len(rows) < 2:
        b.findings.append(Finding("Only one of the two companies has data; no comparison is possible.", [], "comparison"))
        b.missing(missing)
        return b.findings
    one, two = rows[0], rows[1]
    s1, s2 = one["symbol"], two["symbol"]
    def year(row: dict[str, Any]) -> str:
        return str(row.get("fiscal years") or "").split(" to ")[-1]

    def span(row: dict[str, Any]) -> str:
        return str(row.get("fiscal years") or "")

    if one.get("revenue") is not None and two.get("revenue") is not None:
        big, small = (one, two) if one["revenue"] >= two["revenue"] else (two, one)
        b.add(f"{big['symbol']} has the larger revenue: {{}} (fiscal year ended {year(big)}) against {{}} for {small['symbol']} "
              f"(fiscal year ended {year(small)}).", big["revenue"], small["revenue"], source="comparison[revenue]")
    periods = {
        "revenue CAGR %": lambda r: f"over {span(r)}", "net margin %": lambda r: f"fiscal year ended {year(r)}",
        "P/E": lambda r: f"at the {r.get('quote as of')} close", "return %": lambda r: f"over the lookback to {r.get('quote as of')}",
        "volatility %": lambda r: f"annualised, over the lookback to {r.get('quote as of')}",
        "max drawdown %": lambda r: f"over the lookback to {r.get('quote as of')}",
    }
    leads = {s1: 0, s2: 0}
    compared = 0
    for column, phrase, higher_better, as_pct in _COMPARE:
        a, c = one.get(column), two.get(column)
        if a is None or c is None:
            continue
        if column == "P/E" and (a <= 0 or c <= 0):
            continue
        compared += 1
        better = s1 if (a > c) == higher_better else s2
        if a != c:
            leads[better] += 1
        when = periods.get(column)
        if when and when(one) != when(two):
            b.add(f"{phrase[0].upper() + phrase[1:]}: {s1} {{}} ({when(one)}) vs {s2} {{}} ({when(two)}) (better: {better}).", a, c,
                  pct=as_pct, source=f"comparison[{column}]")
        else:
            suffix = f" ({when(one)})" if when else ""
            b.add(f"{phrase[0].upper() + phrase[1:]}{suffix}: {s1} {{}} vs {s2} {{}} (better: {better}).", a, c, pct=as_pct,
                  source=f"comparison[{column}]")
    for row in (one, two):
        absent = [c for c in ("revenue", "revenue CAGR %", "net margin %", "P/E", "return %") if row.get(c) is None]
        first, _, last = str(row.get("fiscal years") or "").partition(" to ")
        if "revenue CAGR %" in absent and first and first == last:
            absent[absent.index("revenue CAGR %")] = f"revenue CAGR % (only one fiscal year with revenue, {last}, by the as-of date)"
        if absent:
            b.findings.append(Finding(f"Not available for {row['symbol']}: {', '.join(absent)}.", [], f"comparison[{row['symbol']}]", "caveat"))
    if compared:
        leader = max(leads, key=lambda symbol: leads[symbol])
        if leads[s1] != leads[s2]:
            b.add(f"{leader} is ahead on {{}} of the {{}} measures compared.", leads[leader], compared, source="comparison",
                  kind="verdict")
    b.missing(missing)
    return b.findings


def strategic(symbol: str, tables: dict[str, Table], missing: list[str]) -> list[Finding]:
    b = FindingBuilder()
    metrics = (_rows(tables.get("metrics")) or [{}])[0]
    span = str(metrics.get("fiscal years") or "").replace("..", " to ")
    b.add(f"{symbol}'s revenue is {{}}, growing {{}} a year from {span}.", metrics.get("revenue"),
          metrics.get("revenue CAGR %"), pct=(False, True), source=f"metrics[{symbol}]")
    b.add(f"{symbol}'s net margin is {{}}.", metrics.get("net margin %"), pct=True, source=f"metrics[{symbol}]")
    b.add(f"Over the last year {symbol}'s price returned {{}} with {{}} volatility and a {{}} max drawdown.",
          metrics.get("return %"), metrics.get("volatility %"), metrics.get("max drawdown %"), pct=True, source=f"metrics[{symbol}]")
    valuation = tables.get("valuation")
    vrows = _rows(valuation)
    own = vrows[0] if vrows else {}
    peers = [r for r in vrows[1:] if isinstance(r.get("P/E"), (int, float)) and r["P/E"] > 0]
    if own.get("P/E") is not None and peers:
        ordered = sorted(peers, key=lambda r: r["P/E"])
        median = ordered[len(ordered) // 2]["P/E"] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1]["P/E"] + ordered[len(ordered) // 2]["P/E"]) / 2
        side = "below" if own["P/E"] < median else "above"
        b.add(f"{symbol}'s P/E of {{}} is {side} its peers' median of {{}}.", own["P/E"], round(median, 2), source="valuation")
    if len(vrows) > 1:
        caps = [r for r in vrows if isinstance(r.get("market cap"), (int, float))]
        ranked = sorted(caps, key=lambda r: -r["market cap"])
        rank = next((i + 1 for i, r in enumerate(ranked) if r["symbol"] == symbol), None)
        b.add(f"By market cap {symbol} ranks {{}} of {{}} among itself and its peers.", rank, len(ranked), source="valuation")
    cash = _rows(tables.get("cash"))
    if cash and cash[0].get("free cash flow") is not None:
        fcf = cash[0]["free cash flow"]
        verb = "generated" if fcf >= 0 else "burned"
        b.add(f"{symbol} {verb} {{}} of free cash flow in the year to {cash[0]['fiscal year']}.", abs(fcf), source="cash")
    b.missing(missing)
    return b.findings


_RANKED = {"revenue": "revenue", "revenue growth": "revenue growth", "net margin": "net margin", "P/E (lower is cheaper)": "cheapness (P/E)"}


def competitive(symbol: str, tables: dict[str, Table], missing: list[str]) -> list[Finding]:
    b = FindingBuilder()
    for row in _rows(tables.get("position")):
        if row.get("rank") is not None:
            b.add(f"{symbol} ranks {{}} of {{}} on {_RANKED.get(row['metric'], row['metric'])} among its peers.", row["rank"], row["of"],
                  source=f"position[{row['metric']}]")
    peers = _rows(tables.get("peers"))
    others = [r for r in peers if r["symbol"] != symbol]
    names = {r[0]: r[1] for r in (tables["profiles"].rows if "profiles" in tables else [])}
    if others:
        listed = ", ".join(f"{names.get(r['symbol']) or r['symbol']} ({r['symbol']})" for r in others)
        b.findings.insert(0, Finding(f"{names.get(symbol) or symbol} ({symbol}) is compared with {listed}.", [], "peers"))
    own = next((r for r in peers if r["symbol"] == symbol), {})
    if others:
        top = max(others, key=lambda r: r.get("revenue") or 0)
        b.add(f"The largest peer by revenue is {top['symbol']} with {{}}, against {{}} for {symbol}.", top.get("revenue"), own.get("revenue"),
              source=f"peers[{top['symbol']}]")
        margins = [r for r in others if r.get("net margin %") is not None]
        if margins and own.get("net margin %") is not None:
            best = max(margins, key=lambda r: r["net margin %"])
            b.add(f"{symbol}'s net margin is {{}}; the best peer margin is {best['symbol']}'s {{}}.", own["net margin %"], best["net margin %"],
                  pct=True, source="peers[net margin %]")
    if not others:
        b.findings.append(Finding(f"No peers were found for {symbol}.", [], "peers"))
    b.missing(missing)
    return b.findings


# -- sector_analysis / market_trend_prediction -------------------------------------------------
def _group_notes(b: FindingBuilder, group: str, shown: int, facts: dict[str, Any] | None, what: str) -> None:
    """How much of the group the analysis covers, and who was left out for missing data."""
    facts = facts or {}
    if facts.get("sp500_members"):
        b.add(f"The S&P 500 has {{}} {group} members; this analysis ranks the {{}} largest that the data has {what} for.",
              facts["sp500_members"], shown, source="companies", kind="caveat")
    if facts.get("left_out"):
        b.findings.append(Finding(f"Left out for missing data: {', '.join(facts['left_out'])}.", [], "companies", "caveat"))


def sector(sector_name: str, tables: dict[str, Table], missing: list[str], facts: dict[str, Any] | None = None) -> list[Finding]:
    b = FindingBuilder()
    rows = _rows(tables.get("companies"))
    medians = (_rows(tables.get("medians")) or [{}])[0]
    _group_notes(b, sector_name, len(rows), facts, "prices and a full fiscal year")
    if not rows:
        b.findings.append(Finding(f"No {sector_name} company in the data has the prices and statements this analysis needs.", [], "companies"))
    if rows:
        top = rows[0]
        b.add(f"The largest {sector_name} company is {top['symbol']} ({top.get('name')}) with a market cap of {{}}.", top.get("market cap"),
              source=f"companies[{top['symbol']}]")
        names = ", ".join(r["symbol"] for r in rows)
        b.findings.append(Finding(f"The {sector_name} companies analysed, by market cap: {names}.", [], "companies"))
    margins = [r for r in rows if r.get("net margin %") is not None]
    if margins:
        best = max(margins, key=lambda r: r["net margin %"])
        b.add(f"{best['symbol']} has the highest net margin, {{}} (fiscal year ended {best.get('fiscal year')}), against a median of {{}}.", best["net margin %"],
              medians.get("net margin %"), pct=True, source=f"companies[{best['symbol']}]")
    pes = [r for r in rows if isinstance(r.get("P/E"), (int, float)) and r["P/E"] > 0]
    if pes:
        cheap = min(pes, key=lambda r: r["P/E"])
        dear = max(pes, key=lambda r: r["P/E"])
        b.add(f"{cheap['symbol']} is the cheapest on P/E at {{}} and {dear['symbol']} the dearest at {{}} (median {{}}).", cheap["P/E"],
              dear["P/E"], medians.get("P/E"), source="companies[P/E]")
    revenues = [r for r in rows if r.get("revenue") is not None]
    if revenues:
        top = max(revenues, key=lambda r: r["revenue"])
        b.add(f"{top['symbol']} has the largest revenue, {{}} (fiscal year ended {top.get('fiscal year')}; median {{}}).", top["revenue"], medians.get("revenue"),
              source=f"companies[{top['symbol']}]")
    b.missing(missing)
    return b.findings


def trend(sector_name: str, timeframe: str, tables: dict[str, Table], missing: list[str],
          facts: dict[str, Any] | None = None) -> list[Finding]:
    b = FindingBuilder()
    stats = {str(r[0]): r[1] for r in (tables["index"].rows if "index" in tables else [])}
    first, last = stats.get("first day"), stats.get("last day")
    _group_notes(b, sector_name, len(_rows(tables.get("members"))), facts, "prices")
    if first and last:
        b.add(f"The {sector_name} equal-weight index returned {{}} from {first} to {last} (first to last day).",
              stats.get("total return %"), pct=True, source="index[total return %]", kind="verdict")
        b.add(f"A log-linear fit through every daily level from {first} to {last} gives a trend of {{}} a year; "
              f"it weighs the whole path, so it can differ in sign from the first-to-last return.",
              stats.get("annualised trend %"), pct=True, source="index[annualised trend %]")
    b.add("The index's annualised volatility was {} and its worst drawdown {}.", stats.get("annualised volatility %"),
          stats.get("max drawdown %"), pct=True, source="index[annualised volatility %]")
    momentum = stats.get("last vs 50-day average %")
    if momentum is not None:
        side = "above" if momentum >= 0 else "below"
        b.add(f"At the last date the index stood {{}} {side} its 50-day average.", abs(momentum), pct=True,
              source="index[last vs 50-day average %]")
    members = [r for r in _rows(tables.get("members")) if r.get("return %") is not None]
    if members:
        best = max(members, key=lambda r: r["return %"])
        worst = min(members, key=lambda r: r["return %"])
        b.add(f"Best member over the lookback: {best['symbol']} ({best.get('name')}) at {{}}; worst: {worst['symbol']} ({worst.get('name')}) at {{}}.",
              best["return %"], worst["return %"], pct=True, source="members[return %]")
        up = sum(1 for r in members if r["return %"] > 0)
        b.add(f"{{}} of the {{}} members rose from {first} to {last}." if first and last else "{} of the {} members rose over the lookback.",
              up, len(members), source="members[return %]")
    if first and last:
        b.findings.append(Finding(f"These are past prices up to {last}; they do not guarantee the next {timeframe}.", [], "index", "caveat"))
    b.missing(missing)
    return b.findings


# -- portfolio_recommendation ------------------------------------------------------------------
def portfolio(amount: float, risk: str, tables: dict[str, Table], facts: dict[str, Any], missing: list[str]) -> list[Finding]:
    b = FindingBuilder()
    rows = _rows(tables.get("allocation"))
    if not rows:
        b.findings.append(Finding("No candidate had the price history needed to allocate the amount.", [], "allocation"))
        b.missing(missing)
        return b.findings
    b.add(f"The {risk}-risk portfolio splits ${{}} over {{}} stocks in {{}} sectors.", float(amount), len(rows),
          len({r['sector'] for r in rows}), source="allocation", kind="verdict")
    for row in sorted(rows, key=lambda r: -(r.get("amount $") or 0))[:3]:
        b.add(f"{row['symbol']} ({row['sector']}): ${{}}, {{}} of the total, beta {{}}.", row.get("amount $"), row.get("weight %"),
              row.get("beta"), pct=(False, True, False), source=f"allocation[{row['symbol']}]")
    if facts.get("portfolio_beta") is not None:
        b.add("The portfolio's weighted beta is {} (the market is 1).", round(facts["portfolio_beta"], 2), source="allocation")
    considered = _rows(tables.get("candidates"))
    left = [r["symbol"] for r in considered if not r.get("chosen")]
    if left:
        b.findings.append(Finding(f"Considered but not chosen: {', '.join(left)}.", [], "candidates"))
    b.missing(missing)
    return b.findings


__all__ = ["health", "comparative", "strategic", "competitive", "sector", "trend", "portfolio"]
