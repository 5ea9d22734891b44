"""Financial arithmetic in plain Python: growth, margins, returns, risk, indexes, allocations."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import date

from tools.market import PriceBar

TRADING_DAYS = 252


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator in (None, 0):
        return None
    return numerator / denominator


def growth(new: float | None, old: float | None) -> float | None:
    """Relative change from `old` to `new` (0.1 = +10 %)."""
    if new is None or old in (None, 0):
        return None
    return (new - old) / abs(old)


def cagr(newest: float | None, oldest: float | None, years: float) -> float | None:
    """Compound annual growth rate; None when it is undefined (sign change, missing data)."""
    if newest is None or oldest is None or oldest <= 0 or newest <= 0 or years <= 0:
        return None
    return (newest / oldest) ** (1 / years) - 1


def median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def closes(bars: Sequence[PriceBar]) -> list[float]:
    """Adjusted closes (raw close when no adjusted one), oldest first."""
    return [b.adj_close or b.close for b in bars]


def total_return(prices: list[float]) -> float | None:
    return growth(prices[-1], prices[0]) if len(prices) >= 2 else None


def daily_returns(prices: list[float]) -> list[float]:
    return [b / a - 1 for a, b in zip(prices, prices[1:]) if a]


def volatility(prices: list[float]) -> float | None:
    """Annualised standard deviation of daily returns."""
    returns = daily_returns(prices)
    return statistics.stdev(returns) * math.sqrt(TRADING_DAYS) if len(returns) >= 2 else None


def max_drawdown(prices: list[float]) -> float | None:
    """Largest peak-to-trough fall (negative, e.g. -0.35)."""
    if len(prices) < 2:
        return None
    peak, worst = prices[0], 0.0
    for p in prices:
        peak = max(peak, p)
        worst = min(worst, p / peak - 1)
    return worst


def annualised_trend(prices: list[float]) -> float | None:
    """Least-squares slope of log price, as an annual rate."""
    n = len(prices)
    if n < 3 or min(prices) <= 0:
        return None
    ys = [math.log(p) for p in prices]
    mean_x, mean_y = (n - 1) / 2, sum(ys) / n
    num = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(ys))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return math.exp(num / den * TRADING_DAYS) - 1


def equal_weight_index(series: dict[str, list[PriceBar]], base: float = 100.0) -> list[tuple[date, float]]:
    """Equal-weight index of several price histories over their common dates, starting at `base`."""
    by_symbol = {s: {b.date: (b.adj_close or b.close) for b in bars} for s, bars in series.items() if bars}
    if not by_symbol:
        return []
    common = sorted(set.intersection(*(set(d) for d in by_symbol.values())))
    if not common:
        return []
    first = {s: prices[common[0]] for s, prices in by_symbol.items()}
    return [(day, base * statistics.fmean(prices[day] / first[s] for s, prices in by_symbol.items())) for day in common]


def allocate(amount: float, weights: dict[str, float]) -> dict[str, float]:
    """Split `amount` in proportion to `weights`, rounded to cents, summing exactly to `amount`."""
    total = sum(weights.values())
    if not weights or total <= 0:
        return {}
    cents = round(amount * 100)
    shares = {k: math.floor(cents * w / total) for k, w in weights.items()}
    remainder = cents - sum(shares.values())
    for k in sorted(weights, key=lambda name: weights[name], reverse=True)[:remainder]:
        shares[k] += 1
    return {k: v / 100 for k, v in shares.items()}


def pct(value: float | None) -> float | None:
    """A fraction as a rounded percentage (0.2531 -> 25.31)."""
    return None if value is None else round(value * 100, 2)


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
