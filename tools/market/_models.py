"""Return models of the market tools. Every record carries its own date and its source."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Quote(_Record):
    """A price quote with valuation figures, as of `as_of` (the date of the price)."""

    symbol: str
    price: float
    volume: int | None = None
    avg_50d: float | None = Field(None, description="average close of the last 50 trading days")
    avg_200d: float | None = Field(None, description="average close of the last 200 trading days")
    eps: float | None = Field(None, description="diluted EPS of the latest fiscal year before as_of")
    eps_fiscal_date: date | None = None
    pe: float | None = Field(None, description="price / EPS")
    market_cap: float | None = None
    as_of: date
    source: str


class CompanyProfile(_Record):
    symbol: str
    name: str | None = None
    sector: str | None = Field(None, description="GICS sector")
    industry: str | None = None
    exchange: str | None = None
    website: str | None = None
    beta: float | None = None
    market_cap: float | None = None
    market_cap_as_of: date | None = None
    description: str | None = None
    ceo: str | None = None
    country: str | None = None
    employees: int | None = None
    ipo_date: date | None = None
    headquarters: str | None = None
    source: str


class IncomeStatement(_Record):
    symbol: str
    fiscal_date: date
    revenue: float | None = None
    cost_of_revenue: float | None = None
    gross_profit: float | None = None
    research_and_development: float | None = None
    selling_general_admin: float | None = None
    operating_income: float | None = None
    ebit: float | None = None
    ebitda: float | None = None
    interest_expense: float | None = None
    pretax_income: float | None = None
    income_tax: float | None = None
    net_income: float | None = None
    eps_basic: float | None = None
    eps_diluted: float | None = None
    shares_diluted: float | None = None
    source: str


class BalanceSheet(_Record):
    symbol: str
    fiscal_date: date
    total_assets: float | None = None
    total_liabilities: float | None = None
    equity: float | None = Field(None, description="stockholders' equity")
    current_assets: float | None = None
    current_liabilities: float | None = None
    cash: float | None = None
    cash_and_short_term_investments: float | None = None
    receivables: float | None = None
    inventory: float | None = None
    goodwill: float | None = None
    total_debt: float | None = None
    long_term_debt: float | None = None
    net_debt: float | None = None
    retained_earnings: float | None = None
    shares_outstanding: float | None = None
    source: str


class CashFlow(_Record):
    symbol: str
    fiscal_date: date
    operating_cash_flow: float | None = None
    capex: float | None = Field(None, description="capital expenditure (negative: cash spent)")
    free_cash_flow: float | None = None
    investing_cash_flow: float | None = None
    financing_cash_flow: float | None = None
    depreciation_and_amortization: float | None = None
    stock_based_compensation: float | None = None
    dividends_paid: float | None = None
    share_repurchases: float | None = None
    source: str


class PriceBar(_Record):
    date: date
    open: float | None = None
    high: float | None = None
    low: float | None = None
    close: float
    adj_close: float | None = Field(None, description="close adjusted for splits and dividends")
    volume: int | None = None


class CompanyRank(_Record):
    """A screener row: companies ranked by market cap."""

    rank: int
    symbol: str
    name: str | None = None
    sector: str | None = None
    industry: str | None = None
    market_cap: float | None = None
    market_cap_as_of: date | None = None


class SymbolMatch(_Record):
    symbol: str
    name: str | None = None
    exchange: str | None = None
    sector: str | None = None
