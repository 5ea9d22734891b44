"""Field mapping from Financial Modeling Prep's stable API replies to the typed market records.

Every shape here is the documented response example of FMP's stable API (the pages below, under
https://site.financialmodelingprep.com/developer/docs/stable/), not a guess. Field names differ
from the retired legacy API: e.g. the quote has no `pe`/`eps`, the profile says `marketCap`
(not `mktCap`) and `exchange` (not `exchangeShortName`), the income statement says `epsDiluted`
(not `epsdiluted`), and daily prices are a flat list of bars without `adjClose`.

A mapper returns the record, or raises `MalformedReplyError` naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timezone
from typing import Any

from ._models import BalanceSheet, CashFlow, CompanyProfile, CompanyRank, IncomeStatement, PriceBar, Quote, SymbolMatch
from ._provider import MalformedReplyError
from .sectors import normalize_sector

__all__ = [
    "SOURCE", "quote", "profile", "income_statement", "balance_sheet", "cash_flow", "price_bar", "adj_closes",
    "ranked", "symbol_match", "peer_market_cap", "eps_diluted", "gics", "today",
]

SOURCE = "Financial Modeling Prep (live)"


def _build(model: Callable[..., Any], endpoint: str, **fields: Any) -> Any:
    try:
        return model(**fields)
    except (ValueError, TypeError) as e:
        raise MalformedReplyError(f"FMP {endpoint}: unexpected reply shape ({type(e).__name__})") from None


# docs/stable/quote and docs/stable/batch-quote: [{symbol, name, price, changePercentage, change, volume,
# dayLow, dayHigh, yearHigh, yearLow, marketCap, priceAvg50, priceAvg200, exchange, open,
# previousClose, timestamp}]. No EPS and no P/E: the provider adds them from the income statement.
def quote(q: dict[str, Any], sym: str, *, eps: float | None, eps_fiscal_date: Any, note: str) -> Quote:
    ts = q.get("timestamp")
    as_of = datetime.fromtimestamp(ts, tz=timezone.utc).date() if isinstance(ts, (int, float)) else today()
    price = q.get("price")
    pe = round(price / eps, 2) if isinstance(price, (int, float)) and eps and eps > 0 else None
    return _build(Quote, "quote", symbol=q.get("symbol") or sym, price=price, volume=_int(q.get("volume")),
                  avg_50d=q.get("priceAvg50"), avg_200d=q.get("priceAvg200"), eps=eps,
                  eps_fiscal_date=eps_fiscal_date, pe=pe, market_cap=q.get("marketCap"), as_of=as_of,
                  source=f"{SOURCE}: {note}")


# docs/stable/income-statement: [{date, symbol, fiscalYear, period, revenue, ..., eps, epsDiluted, ...}]
def eps_diluted(row: dict[str, Any]) -> tuple[float | None, Any]:
    """(diluted EPS, fiscal date) of one income-statement row."""
    eps = row.get("epsDiluted")
    return (float(eps) if isinstance(eps, (int, float)) else None), row.get("date")


# docs/stable/profile-symbol: [{symbol, price, marketCap, beta, lastDividend, range, change, volume,
# averageVolume, companyName, currency, cik, isin, cusip, exchangeFullName, exchange, industry, website,
# description, ceo, sector, country, fullTimeEmployees (a string), phone, address, city, state, zip,
# image, ipoDate, defaultImage, isEtf, isActivelyTrading, isAdr, isFund}]
def profile(p: dict[str, Any], sym: str) -> CompanyProfile:
    return _build(
        CompanyProfile, "profile", symbol=p.get("symbol") or sym, name=p.get("companyName"),
        sector=gics(p.get("sector")), industry=p.get("industry") or None, exchange=p.get("exchange") or None,
        website=p.get("website") or None, beta=p.get("beta"), market_cap=p.get("marketCap"),
        market_cap_as_of=today(), description=p.get("description") or None, ceo=p.get("ceo") or None,
        country=p.get("country") or None, employees=_int(p.get("fullTimeEmployees")),
        ipo_date=p.get("ipoDate") or None,
        headquarters=", ".join(x for x in (p.get("city"), p.get("state")) if x) or None, source=SOURCE)


def income_statement(r: dict[str, Any], sym: str) -> IncomeStatement:
    return _build(
        IncomeStatement, "income-statement", symbol=sym, fiscal_date=r.get("date"), revenue=r.get("revenue"),
        cost_of_revenue=r.get("costOfRevenue"), gross_profit=r.get("grossProfit"),
        research_and_development=r.get("researchAndDevelopmentExpenses"),
        selling_general_admin=r.get("sellingGeneralAndAdministrativeExpenses"),
        operating_income=r.get("operatingIncome"), ebit=r.get("ebit"), ebitda=r.get("ebitda"),
        interest_expense=r.get("interestExpense"), pretax_income=r.get("incomeBeforeTax"),
        income_tax=r.get("incomeTaxExpense"), net_income=r.get("netIncome"), eps_basic=r.get("eps"),
        eps_diluted=r.get("epsDiluted"), shares_diluted=r.get("weightedAverageShsOutDil"), source=SOURCE)


# docs/stable/balance-sheet-statement: [{date, ..., cashAndCashEquivalents, cashAndShortTermInvestments,
# netReceivables, inventory, totalCurrentAssets, goodwill, totalAssets, totalCurrentLiabilities,
# longTermDebt, totalLiabilities, retainedEarnings, totalStockholdersEquity, totalDebt, netDebt, ...}]
# (no share count: `shares_outstanding` stays empty)
def balance_sheet(r: dict[str, Any], sym: str) -> BalanceSheet:
    return _build(
        BalanceSheet, "balance-sheet-statement", symbol=sym, fiscal_date=r.get("date"),
        total_assets=r.get("totalAssets"), total_liabilities=r.get("totalLiabilities"),
        equity=r.get("totalStockholdersEquity"), current_assets=r.get("totalCurrentAssets"),
        current_liabilities=r.get("totalCurrentLiabilities"), cash=r.get("cashAndCashEquivalents"),
        cash_and_short_term_investments=r.get("cashAndShortTermInvestments"), receivables=r.get("netReceivables"),
        inventory=r.get("inventory"), goodwill=r.get("goodwill"), total_debt=r.get("totalDebt"),
        long_term_debt=r.get("longTermDebt"), net_debt=r.get("netDebt"), retained_earnings=r.get("retainedEarnings"),
        source=SOURCE)


# docs/stable/cashflow-statement: [{date, ..., depreciationAndAmortization, stockBasedCompensation,
# netCashProvidedByOperatingActivities, netCashProvidedByInvestingActivities, commonStockRepurchased,
# netDividendsPaid, commonDividendsPaid, netCashProvidedByFinancingActivities, operatingCashFlow,
# capitalExpenditure, freeCashFlow, ...}]
def cash_flow(r: dict[str, Any], sym: str) -> CashFlow:
    return _build(
        CashFlow, "cash-flow-statement", symbol=sym, fiscal_date=r.get("date"),
        operating_cash_flow=_first(r, "operatingCashFlow", "netCashProvidedByOperatingActivities"),
        capex=r.get("capitalExpenditure"), free_cash_flow=r.get("freeCashFlow"),
        investing_cash_flow=r.get("netCashProvidedByInvestingActivities"),
        financing_cash_flow=r.get("netCashProvidedByFinancingActivities"),
        depreciation_and_amortization=r.get("depreciationAndAmortization"),
        stock_based_compensation=r.get("stockBasedCompensation"),
        dividends_paid=_first(r, "netDividendsPaid", "commonDividendsPaid"),
        share_repurchases=r.get("commonStockRepurchased"), source=SOURCE)


# docs/stable/historical-price-eod-full: a flat list, newest first, [{symbol, date, open, high, low, close,
# volume, change, changePercent, vwap}]; `close` is split-adjusted, and there is no `adjClose`.
def price_bar(r: dict[str, Any], adj_close: float | None) -> PriceBar:
    return _build(PriceBar, "historical-price-eod/full", date=r.get("date"), open=r.get("open"),
                  high=r.get("high"), low=r.get("low"), close=r.get("close"), adj_close=adj_close,
                  volume=_int(r.get("volume")))


# docs/stable/historical-price-eod-dividend-adjusted: [{symbol, date, adjOpen, adjHigh, adjLow, adjClose,
# volume}]: the close adjusted for splits and dividends, as `PriceBar.adj_close` means.
def adj_closes(rows: Any) -> dict[str, float]:
    if not isinstance(rows, list):
        return {}
    return {r["date"][:10]: float(r["adjClose"]) for r in rows
            if isinstance(r, dict) and isinstance(r.get("date"), str) and isinstance(r.get("adjClose"), (int, float))}


# docs/stable/search-company-screener: [{symbol, companyName, marketCap, sector, industry, beta, price,
# lastAnnualDividend, volume, exchange, exchangeShortName, country, isEtf, isFund, isActivelyTrading}]
def ranked(rank: int, r: dict[str, Any], endpoint: str, market_cap: Any) -> CompanyRank:
    return _build(CompanyRank, endpoint, rank=rank, symbol=r.get("symbol"), name=r.get("companyName") or r.get("name"),
                  sector=gics(r.get("sector")), industry=r.get("industry") or None, market_cap=market_cap,
                  market_cap_as_of=today())


# docs/stable/search-symbol (and search-name): [{symbol, name, currency, exchangeFullName, exchange}]
def symbol_match(r: dict[str, Any]) -> SymbolMatch:
    return _build(SymbolMatch, "search-symbol", symbol=r.get("symbol"), name=r.get("name"),
                  exchange=r.get("exchange") or None)


# docs/stable/peers: [{symbol, companyName, price, mktCap}] (this endpoint still says `mktCap`)
def peer_market_cap(r: dict[str, Any]) -> float | None:
    cap = _first(r, "mktCap", "marketCap")
    return cap if isinstance(cap, (int, float)) and cap > 0 else None


def gics(sector: Any) -> str | None:
    if not sector:
        return None
    try:
        return normalize_sector(str(sector))
    except ValueError:
        return str(sector)


def today() -> date:
    return datetime.now(timezone.utc).date()


def _int(value: Any) -> int | None:
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _first(row: dict[str, Any], *keys: str) -> Any:
    return next((row[k] for k in keys if row.get(k) is not None), None)
