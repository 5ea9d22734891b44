#!/usr/bin/env python3
"""Build the offline market-data snapshot `tools/market/data/snapshot.sqlite` from real public data.

Usage:  python scripts/build_snapshot.py [SOURCE_DIR] [--out PATH]

SOURCE_DIR defaults to `../shared/data/market` relative to the repository root and must hold
`statements/<T>.json` (yfinance), `prices/<T>.csv` (quantmod/Yahoo), `profiles/<T>.csv` (FMP profile
rows) and `constituents.csv` (S&P 500 with GICS sectors); see `tools/market/data/README.md`.

Only the standard library is used. The output is deterministic: rows are inserted in sorted order,
nothing time-dependent is stored, and the file is VACUUMed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "market"
DEFAULT_OUT = REPO / "tools" / "market" / "data" / "snapshot.sqlite"

# Yahoo row label -> column, per statement. The first label present wins (list = fallbacks).
INCOME_ROWS: dict[str, list[str]] = {
    "revenue": ["Total Revenue", "Operating Revenue"],
    "cost_of_revenue": ["Cost Of Revenue"],
    "gross_profit": ["Gross Profit"],
    "research_and_development": ["Research And Development"],
    "selling_general_admin": ["Selling General And Administration"],
    "operating_income": ["Operating Income"],
    "ebit": ["EBIT"],
    "ebitda": ["EBITDA"],
    "interest_expense": ["Interest Expense"],
    "pretax_income": ["Pretax Income"],
    "income_tax": ["Tax Provision"],
    "net_income": ["Net Income"],
    "net_income_common": ["Net Income Common Stockholders"],
    "eps_basic": ["Basic EPS"],
    "eps_diluted": ["Diluted EPS"],
    "shares_basic": ["Basic Average Shares"],
    "shares_diluted": ["Diluted Average Shares"],
}
BALANCE_ROWS: dict[str, list[str]] = {
    "total_assets": ["Total Assets"],
    "total_liabilities": ["Total Liabilities Net Minority Interest"],
    "equity": ["Stockholders Equity"],
    "total_equity": ["Total Equity Gross Minority Interest"],
    "current_assets": ["Current Assets"],
    "current_liabilities": ["Current Liabilities"],
    "cash": ["Cash And Cash Equivalents"],
    "cash_and_short_term_investments": ["Cash Cash Equivalents And Short Term Investments"],
    "receivables": ["Accounts Receivable"],
    "inventory": ["Inventory"],
    "goodwill": ["Goodwill"],
    "total_debt": ["Total Debt"],
    "long_term_debt": ["Long Term Debt"],
    "net_debt": ["Net Debt"],
    "working_capital": ["Working Capital"],
    "retained_earnings": ["Retained Earnings"],
    "shares_outstanding": ["Ordinary Shares Number"],
}
CASH_ROWS: dict[str, list[str]] = {
    "operating_cash_flow": ["Operating Cash Flow"],
    "capex": ["Capital Expenditure"],
    "free_cash_flow": ["Free Cash Flow"],
    "investing_cash_flow": ["Investing Cash Flow"],
    "financing_cash_flow": ["Financing Cash Flow"],
    "depreciation_and_amortization": ["Depreciation And Amortization"],
    "stock_based_compensation": ["Stock Based Compensation"],
    "dividends_paid": ["Cash Dividends Paid"],
    "share_repurchases": ["Repurchase Of Capital Stock"],
}
STATEMENTS = {  # table -> (yfinance key, rows)
    "income_statements": ("financials", INCOME_ROWS),
    "balance_sheets": ("balance_sheet", BALANCE_ROWS),
    "cash_flows": ("cashflow", CASH_ROWS),
}

# Yahoo reports Berkshire's share count in Class A shares (EPS is per Class B share); the traded
# ticker here is Class B, and one Class A share is economically 1,500 Class B shares. Quotes multiply
# the share count by this ratio to get a market cap.
SHARE_CLASS_RATIO = {"BRK-B": 1500}

# Stock splits between the last price date (2023-10-27) and the statements fetch (2026-03). Yahoo
# restates per-share figures (EPS, share counts) for splits, so the 2026 statements are on the
# post-split basis while the 2023 prices are not. Quotes convert EPS and shares back to the price
# date's basis with these ratios. Public split announcements; the build cross-checks them against the
# FMP profile market caps (2023-10-17) where a profile exists (NFLX, WMT, ORLY).
SPLITS = [  # (symbol, effective date, new shares per old share)
    ("NFLX", "2025-11-17", 10),
    ("NOW", "2025-12-18", 5),
    ("NVDA", "2024-06-10", 10),
    ("AVGO", "2024-07-15", 10),
    ("ORLY", "2025-06-10", 15),
    ("PANW", "2024-12-16", 2),
    ("WMT", "2024-02-26", 3),
]

# FMP sector names -> GICS sector names (used when a company is not in constituents.csv).
FMP_TO_GICS = {
    "Technology": "Information Technology",
    "Healthcare": "Health Care",
    "Financial Services": "Financials",
    "Consumer Cyclical": "Consumer Discretionary",
    "Consumer Defensive": "Consumer Staples",
    "Basic Materials": "Materials",
    "Communication Services": "Communication Services",
    "Energy": "Energy",
    "Industrials": "Industrials",
    "Real Estate": "Real Estate",
    "Utilities": "Utilities",
}
NOT_COMPANIES = {"GSPC"}  # the S&P 500 index (^GSPC) price file: not a company

COMPANY_COLUMNS = [
    "symbol", "name", "sector", "industry", "gics_sub_industry", "fmp_sector", "fmp_industry",
    "exchange", "website", "beta", "description", "ceo", "country", "employees", "ipo_date", "cik",
    "headquarters", "founded", "sp500_added", "profile_price", "profile_market_cap", "profile_as_of",
    "share_class_ratio", "has_statements", "has_prices",
]

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE companies (
  symbol TEXT PRIMARY KEY, name TEXT, sector TEXT, industry TEXT, gics_sub_industry TEXT,
  fmp_sector TEXT, fmp_industry TEXT, exchange TEXT, website TEXT, beta REAL, description TEXT,
  ceo TEXT, country TEXT, employees INTEGER, ipo_date TEXT, cik TEXT, headquarters TEXT,
  founded TEXT, sp500_added TEXT, profile_price REAL, profile_market_cap REAL, profile_as_of TEXT,
  share_class_ratio REAL NOT NULL DEFAULT 1, has_statements INTEGER NOT NULL, has_prices INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX companies_sector ON companies (sector COLLATE NOCASE);
CREATE TABLE splits (
  symbol TEXT NOT NULL, date TEXT NOT NULL, ratio REAL NOT NULL,
  cumulative REAL NOT NULL, -- product of the ratios of this split and every later one
  PRIMARY KEY (symbol, date)) WITHOUT ROWID;
CREATE TABLE prices (
  symbol TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL, low REAL, close REAL,
  adj_close REAL, volume INTEGER, PRIMARY KEY (symbol, date)
) WITHOUT ROWID;
"""


# Market cap as of each company's last price date: close x shares outstanding (latest balance sheet
# at or before that date, on that date's share basis), else the FMP profile market cap with its date.
VIEWS = """
CREATE VIEW valuations AS
SELECT c.symbol, c.name, c.sector, c.industry, l.as_of, p.close AS price, p.volume,
  COALESCE((SELECT cumulative FROM splits s WHERE s.symbol = c.symbol AND s.date > l.as_of
            ORDER BY s.date LIMIT 1), 1) AS split_factor,
  (SELECT shares_outstanding FROM balance_sheets b WHERE b.symbol = c.symbol AND b.fiscal_date <= l.as_of
     AND b.shares_outstanding IS NOT NULL ORDER BY b.fiscal_date DESC LIMIT 1) AS shares_reported,
  c.share_class_ratio, c.profile_market_cap, c.profile_as_of
FROM companies c
LEFT JOIN (SELECT symbol, MAX(date) AS as_of FROM prices GROUP BY symbol) l ON l.symbol = c.symbol
LEFT JOIN prices p ON p.symbol = c.symbol AND p.date = l.as_of;
CREATE VIEW market_caps AS
SELECT *,
  CASE WHEN price IS NOT NULL AND shares_reported IS NOT NULL
       THEN price * shares_reported * share_class_ratio / split_factor ELSE profile_market_cap END AS market_cap,
  CASE WHEN price IS NOT NULL AND shares_reported IS NOT NULL THEN as_of ELSE profile_as_of END AS market_cap_as_of
FROM valuations;
"""


def statement_table_sql(table: str, rows: dict[str, list[str]]) -> str:
    cols = ", ".join(f"{c} REAL" for c in rows)
    return (f"CREATE TABLE {table} (symbol TEXT NOT NULL, fiscal_date TEXT NOT NULL, {cols}, "
            f"PRIMARY KEY (symbol, fiscal_date)) WITHOUT ROWID;")


def _num(value: object) -> float | None:
    if value is None or value == "" or value == "NA":
        return None
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isinf(x) else x


def _int(value: object) -> int | None:
    x = _num(value)
    return None if x is None else int(round(x))


def _text(value: object) -> str | None:
    s = (str(value).strip() if value is not None else "")
    return s or None


def _price(value: object) -> float | None:
    """Quantmod wrote float32 noise (177.149993896484); 4 decimals restore the quoted value."""
    x = _num(value)
    return None if x is None else round(x, 4)


def read_constituents(src: Path) -> dict[str, dict[str, str]]:
    with open(src / "constituents.csv", newline="", encoding="utf-8") as f:
        return {row["Symbol"].strip().replace(".", "-"): row for row in csv.DictReader(f)}


def write_constituents(src: Path, out: Path) -> int:
    """The S&P 500 list as the package reads it (`tools.market.sp500`): symbol (Yahoo spelling), name,
    GICS sector and sub-industry, sorted by symbol. Every member, in the snapshot or not."""
    cons = read_constituents(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["symbol", "name", "sector", "sub_industry"])
        for sym in sorted(cons):
            row = cons[sym]
            writer.writerow([sym, row["Security"].strip(), row["GICS Sector"].strip(), row["GICS Sub-Industry"].strip()])
    return len(cons)


def read_profile(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if len(rows) != 1:
        raise SystemExit(f"{path}: expected one profile row, got {len(rows)}")
    return rows[0]


def company_row(symbol: str, profile: dict[str, str] | None, cons: dict[str, str] | None,
                has_statements: bool, has_prices: bool) -> dict[str, object]:
    p = profile or {}
    c = cons or {}
    fmp_sector = _text(p.get("sector"))
    sector = _text(c.get("GICS Sector")) or (FMP_TO_GICS.get(fmp_sector, fmp_sector) if fmp_sector else None)
    gics_sub = _text(c.get("GICS Sub-Industry"))
    fmp_industry = _text(p.get("industry"))
    return {
        "symbol": symbol,
        "name": _text(p.get("companyName")) or _text(c.get("Security")),
        "sector": sector,
        "industry": gics_sub or fmp_industry,
        "gics_sub_industry": gics_sub,
        "fmp_sector": fmp_sector,
        "fmp_industry": fmp_industry,
        "exchange": _text(p.get("exchangeShortName")) or _text(p.get("exchange")),
        "website": _text(p.get("website")),
        "beta": _num(p.get("beta")),
        "description": _text(p.get("description")),
        "ceo": _text(p.get("ceo")),
        "country": _text(p.get("country")),
        "employees": _int(p.get("fullTimeEmployees")),
        "ipo_date": _text(p.get("ipoDate")),
        "cik": _text(p.get("cik")) or (_text(c.get("CIK")).zfill(10) if _text(c.get("CIK")) else None),
        "headquarters": _text(c.get("Headquarters Location")) or
        (", ".join(x for x in (_text(p.get("city")), _text(p.get("state"))) if x) or None),
        "founded": _text(c.get("Founded")),
        "sp500_added": _text(c.get("Date added")),
        "profile_price": _num(p.get("price")),
        "profile_market_cap": _num(p.get("mktCap")),
        "profile_as_of": "2023-10-17" if profile else None,
        "share_class_ratio": SHARE_CLASS_RATIO.get(symbol, 1),
        "has_statements": int(has_statements),
        "has_prices": int(has_prices),
    }


def statement_rows(symbol: str, data: dict, key: str, rows: dict[str, list[str]]) -> list[tuple]:
    out = []
    for fiscal_date in sorted(data.get(key) or {}):
        values = data[key][fiscal_date] or {}
        record = []
        for labels in rows.values():
            record.append(next((_num(values[l]) for l in labels if _num(values.get(l)) is not None), None))
        if any(v is not None for v in record):
            out.append((symbol, fiscal_date[:10], *record))
    return out


def price_rows(symbol: str, path: Path) -> list[tuple]:
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {h.split(".")[-1] if "." in h else h: i for i, h in enumerate(header)}
        for r in reader:
            close = _price(r[col["Close"]])
            if close is None:
                continue
            out.append((symbol, r[col["Index"]][:10], _price(r[col["Open"]]), _price(r[col["High"]]),
                        _price(r[col["Low"]]), close, _price(r[col["Adjusted"]]), _int(r[col["Volume"]])))
    return out


def check_against_profiles(db: sqlite3.Connection, tolerance: float = 0.15) -> None:
    """Warn where statement share counts (split-corrected) disagree with FMP's 2023-10-17 market cap."""
    rows = db.execute(
        """SELECT c.symbol, c.profile_as_of, c.profile_market_cap / c.profile_price,
                  b.shares_outstanding * c.share_class_ratio
           FROM companies c JOIN balance_sheets b ON b.symbol = c.symbol AND b.fiscal_date = (
               SELECT MAX(fiscal_date) FROM balance_sheets WHERE symbol = c.symbol
               AND fiscal_date <= c.profile_as_of AND shares_outstanding IS NOT NULL)
           WHERE c.profile_price > 0 AND c.profile_market_cap > 0 ORDER BY c.symbol"""
    ).fetchall()
    for symbol, as_of, profile_shares, shares in rows:
        for ratio, in db.execute("SELECT ratio FROM splits WHERE symbol = ? AND date > ?", (symbol, as_of)):
            shares /= ratio
        if abs(shares / profile_shares - 1) > tolerance:
            print(f"warning: {symbol}: statement shares {shares:.4g} vs FMP profile {profile_shares:.4g}",
                  file=sys.stderr)


def build(src: Path, out: Path) -> dict[str, object]:
    src = src.resolve()
    for needed in ("statements", "prices", "profiles", "constituents.csv"):
        if not (src / needed).exists():
            raise SystemExit(f"{src}: missing {needed}")
    statements = {p.stem: p for p in (src / "statements").glob("*.json")}
    prices = {p.stem: p for p in (src / "prices").glob("*.csv")}
    profiles = {p.stem: p for p in (src / "profiles").glob("*.csv")}
    cons = read_constituents(src)
    symbols = sorted((set(statements) | set(prices)) - NOT_COMPANIES)

    tmp = out.with_suffix(".tmp")
    tmp.parent.mkdir(parents=True, exist_ok=True)
    if tmp.exists():
        tmp.unlink()
    db = sqlite3.connect(tmp)
    db.execute("PRAGMA page_size = 4096")
    db.execute("PRAGMA journal_mode = OFF")
    db.executescript(SCHEMA + "\n".join(statement_table_sql(t, rows) for t, (_, rows) in STATEMENTS.items()))

    counts = {t: 0 for t in ["companies", "prices", *STATEMENTS]}
    placeholders = ", ".join("?" for _ in COMPANY_COLUMNS)
    for sym in symbols:
        profile = read_profile(profiles[sym]) if sym in profiles else None
        n_statements = 0
        if sym in statements:
            data = json.loads(statements[sym].read_text(encoding="utf-8"))
            for table, (key, rows) in STATEMENTS.items():
                recs = statement_rows(sym, data, key, rows)
                q = ", ".join("?" for _ in range(len(rows) + 2))
                db.executemany(f"INSERT INTO {table} VALUES ({q})", recs)
                counts[table] += len(recs)
                n_statements += len(recs)
        if n_statements == 0 and sym not in prices:
            continue  # e.g. MMC: its statements file is empty and there is no price file
        row = company_row(sym, profile, cons.get(sym), n_statements > 0, sym in prices)
        db.execute(f"INSERT INTO companies ({', '.join(COMPANY_COLUMNS)}) VALUES ({placeholders})",
                   [row[c] for c in COMPANY_COLUMNS])
        counts["companies"] += 1
        if sym in prices:
            recs = price_rows(sym, prices[sym])
            db.executemany("INSERT INTO prices VALUES (?, ?, ?, ?, ?, ?, ?, ?)", recs)
            counts["prices"] += len(recs)

    splits = sorted(x for x in SPLITS if x[0] in symbols)
    for sym, day, ratio in splits:
        cumulative = math.prod(r for s, d, r in splits if s == sym and d >= day)
        db.execute("INSERT INTO splits VALUES (?, ?, ?, ?)", (sym, day, ratio, cumulative))
    db.executescript(VIEWS)
    check_against_profiles(db)

    first, last = db.execute("SELECT MIN(date), MAX(date) FROM prices").fetchone()
    fy_first, fy_last = db.execute("SELECT MIN(fiscal_date), MAX(fiscal_date) FROM income_statements").fetchone()
    meta = {
        "companies": str(counts["companies"]),
        "prices_first_date": first,
        "prices_last_date": last,
        "fiscal_first_date": fy_first,
        "fiscal_last_date": fy_last,
        "profiles_as_of": "2023-10-17",
        "statements_fetched": "2026-03",
        "source": "see tools/market/data/README.md",
    }
    db.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    db.commit()
    db.execute("ANALYZE")
    db.commit()
    db.execute("VACUUM")
    db.close()
    os.replace(tmp, out)
    return {**counts, "prices": f"{counts['prices']} rows {first}..{last}", "bytes": out.stat().st_size}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE, help="shared market data folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output SQLite file")
    args = ap.parse_args(argv)
    summary = build(args.source, args.out)
    summary["sp500 members"] = write_constituents(args.source, args.out.parent / "sp500.csv")
    for k, v in summary.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
