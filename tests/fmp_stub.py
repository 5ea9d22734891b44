"""A fake Financial Modeling Prep stable API on 127.0.0.1 (real HTTP), shared by the market and reliability tests.

Replies use the stable API's shapes: the documented response examples of
https://site.financialmodelingprep.com/developer/docs/stable/{quote, profile-symbol, income-statement,
balance-sheet-statement, cashflow-statement, historical-price-eod-full,
historical-price-eod-dividend-adjusted, search-company-screener, search-symbol, peers, batch-quote}.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY = "PLANTED-k3y-9f8e7d6c"

QUOTE = [{"symbol": "AAPL", "name": "Apple Inc.", "price": 232.8, "changePercentage": 2.1008, "change": 4.79,
          "volume": 44489128, "dayLow": 226.65, "dayHigh": 233.13, "yearHigh": 260.1, "yearLow": 164.08,
          "marketCap": 3500823120000, "priceAvg50": 240.2278, "priceAvg200": 219.98755, "exchange": "NASDAQ",
          "open": 227.2, "previousClose": 228.01, "timestamp": 1738702801}]
PROFILE = [{"symbol": "AAPL", "price": 262.82, "marketCap": 3900351299800, "beta": 1.109, "lastDividend": 1.04,
            "range": "169.21-265.29", "change": 3.24, "changePercentage": 1.24817, "volume": 36725325,
            "averageVolume": 47424558, "companyName": "Apple Inc.", "currency": "USD", "cik": "0000320193",
            "isin": "US0378331005", "cusip": "037833100", "exchangeFullName": "NASDAQ Global Select",
            "exchange": "NASDAQ", "industry": "Consumer Electronics", "website": "https://www.apple.com",
            "description": "Apple Inc. designs, manufactures, and markets smartphones.", "ceo": "Timothy D. Cook",
            "sector": "Technology", "country": "US", "fullTimeEmployees": "164000", "phone": "(408) 996-1010",
            "address": "One Apple Park Way", "city": "Cupertino", "state": "CA", "zip": "95014",
            "image": "https://images.financialmodelingprep.com/symbol/AAPL.png", "ipoDate": "1980-12-12",
            "defaultImage": False, "isEtf": False, "isActivelyTrading": True, "isAdr": False, "isFund": False}]
_FILING = {"symbol": "AAPL", "reportedCurrency": "USD", "cik": "0000320193", "filingDate": "2024-11-01",
           "acceptedDate": "2024-11-01 06:01:36", "fiscalYear": "2024", "period": "FY"}
INCOME = [{"date": "2024-09-28", **_FILING, "revenue": 391035000000, "costOfRevenue": 210352000000,
           "grossProfit": 180683000000, "researchAndDevelopmentExpenses": 31370000000,
           "generalAndAdministrativeExpenses": 0, "sellingAndMarketingExpenses": 0,
           "sellingGeneralAndAdministrativeExpenses": 26097000000, "otherExpenses": 0,
           "operatingExpenses": 57467000000, "costAndExpenses": 267819000000, "netInterestIncome": 0,
           "interestIncome": 0, "interestExpense": 0, "depreciationAndAmortization": 11445000000,
           "ebitda": 134661000000, "ebit": 123216000000, "nonOperatingIncomeExcludingInterest": 0,
           "operatingIncome": 123216000000, "totalOtherIncomeExpensesNet": 269000000,
           "incomeBeforeTax": 123485000000, "incomeTaxExpense": 29749000000,
           "netIncomeFromContinuingOperations": 93736000000, "netIncomeFromDiscontinuedOperations": 0,
           "otherAdjustmentsToNetIncome": 0, "netIncome": 93736000000, "netIncomeDeductions": 0,
           "bottomLineNetIncome": 93736000000, "eps": 6.11, "epsDiluted": 6.08,
           "weightedAverageShsOut": 15343783000, "weightedAverageShsOutDil": 15408095000}]
BALANCE = [{"date": "2024-09-28", **_FILING, "cashAndCashEquivalents": 29943000000,
            "shortTermInvestments": 35228000000, "cashAndShortTermInvestments": 65171000000,
            "netReceivables": 66243000000, "inventory": 7286000000, "totalCurrentAssets": 152987000000,
            "goodwill": 0, "totalAssets": 364980000000, "totalCurrentLiabilities": 176392000000,
            "longTermDebt": 85750000000, "totalLiabilities": 308030000000, "retainedEarnings": -19154000000,
            "totalStockholdersEquity": 56950000000, "totalEquity": 56950000000, "totalDebt": 106629000000,
            "netDebt": 76686000000}]
CASH_FLOW = [{"date": "2024-09-28", **_FILING, "netIncome": 93736000000, "depreciationAndAmortization": 11445000000,
              "stockBasedCompensation": 11688000000, "netCashProvidedByOperatingActivities": 118254000000,
              "investmentsInPropertyPlantAndEquipment": -9447000000,
              "netCashProvidedByInvestingActivities": 2935000000, "commonStockRepurchased": -94949000000,
              "netDividendsPaid": -15234000000, "commonDividendsPaid": -15234000000,
              "netCashProvidedByFinancingActivities": -121983000000, "operatingCashFlow": 118254000000,
              "capitalExpenditure": -9447000000, "freeCashFlow": 108807000000}]
EOD_FULL = [  # a flat list, newest first
    {"symbol": "AAPL", "date": "2025-02-04", "open": 227.2, "high": 233.13, "low": 226.65, "close": 232.8,
     "volume": 44489128, "change": 5.6, "changePercent": 2.46479, "vwap": 230.86},
    {"symbol": "AAPL", "date": "2025-02-03", "open": 229.99, "high": 231.83, "low": 225.7, "close": 228.01,
     "volume": 73063301, "change": -1.98, "changePercent": -0.86091, "vwap": 228.39},
]
EOD_ADJUSTED = [
    {"symbol": "AAPL", "date": "2025-02-04", "adjOpen": 226.96, "adjHigh": 232.88, "adjLow": 226.41,
     "adjClose": 232.55, "volume": 44489128},
    {"symbol": "AAPL", "date": "2025-02-03", "adjOpen": 229.74, "adjHigh": 231.58, "adjLow": 225.46,
     "adjClose": 227.76, "volume": 73063301},
]
SCREENER = [
    {"symbol": "MSFT", "companyName": "Microsoft Corporation", "marketCap": 3.1e12, "sector": "Technology",
     "industry": "Software - Infrastructure", "beta": 0.9, "price": 415.0, "lastAnnualDividend": 3.32,
     "volume": 20000000, "exchange": "NASDAQ Global Select", "exchangeShortName": "NASDAQ", "country": "US",
     "isEtf": False, "isFund": False, "isActivelyTrading": True},
    {"symbol": "AAPL", "companyName": "Apple Inc.", "marketCap": 3500823120000, "sector": "Technology",
     "industry": "Consumer Electronics", "beta": 1.109, "price": 232.8, "lastAnnualDividend": 1.0,
     "volume": 44489128, "exchange": "NASDAQ Global Select", "exchangeShortName": "NASDAQ", "country": "US",
     "isEtf": False, "isFund": False, "isActivelyTrading": True},
]
SEARCH = [{"symbol": "AAPL", "name": "Apple Inc.", "currency": "USD", "exchangeFullName": "NASDAQ Global Select",
           "exchange": "NASDAQ"}]
PEERS = [{"symbol": "GOOGL", "companyName": "Alphabet Inc.", "price": 317.32, "mktCap": 3838620208180},
         {"symbol": "DELL", "companyName": "Dell Technologies Inc.", "price": 120.5, "mktCap": 84000000000}]
BATCH_QUOTE = [{**QUOTE[0], "symbol": "HPQ", "name": "HP Inc.", "marketCap": 27000000000}]

# endpoint -> reply for a company with data everywhere (see `FakeFMP.company`)
COMPANY = {"quote": QUOTE, "profile": PROFILE, "income-statement": INCOME, "balance-sheet-statement": BALANCE,
           "cash-flow-statement": CASH_FLOW, "historical-price-eod/full": EOD_FULL,
           "historical-price-eod/dividend-adjusted": EOD_ADJUSTED, "stock-peers": PEERS}


def as_symbol(rows: list[dict[str, Any]], symbol: str) -> list[dict[str, Any]]:
    """A copy of `rows` about `symbol` instead."""
    return [{**copy.deepcopy(r), **({"symbol": symbol} if "symbol" in r else {})} for r in rows]


class FakeFMP:
    """Routes by endpoint (the path under /stable) and, when given, the `symbol` query parameter; each
    route answers from a list of (status, body, headers, delay), the last one repeating."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str | None], list[tuple[int, Any, dict[str, str], float]]] = {}
        self.calls: dict[str, list[dict[str, str]]] = defaultdict(list)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                endpoint = url.path.removeprefix("/stable/")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.calls[endpoint].append(query)
                script = (fake.routes.get((endpoint, query.get("symbol"))) or fake.routes.get((endpoint, None))
                          or [(404, {"Error Message": "no such route"}, {}, 0.0)])
                status, body, headers, delay = script.pop(0) if len(script) > 1 else script[0]
                if delay:
                    time.sleep(delay)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/stable"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def route(self, endpoint: str, *replies: Any, symbol: str | None = None) -> None:
        """Answer `endpoint` (for `symbol`, or any symbol) with `replies`: bodies (HTTP 200) or
        (status, body, headers, delay) tuples."""
        self.routes[(endpoint, symbol)] = [
            r if isinstance(r, tuple) and len(r) == 4 else (200, r, {}, 0.0) for r in replies]

    def company(self, symbol: str, **replies: Any) -> None:
        """Serve `symbol` on every per-company endpoint with the stable shapes; `replies` (keyed by endpoint
        with `_` for `-` and `__` for `/`) replace some, e.g. quote=(500, {}, {}, 0.0)."""
        for endpoint, body in COMPANY.items():
            default = copy.deepcopy(body) if endpoint == "stock-peers" else as_symbol(body, symbol)
            reply = replies.get(endpoint.replace("/", "__").replace("-", "_"), default)
            self.route(endpoint, reply, symbol=symbol)
