"""Small per-backend caches keyed by tool lists: the most recent `ENTRIES` kept (shortlists vary per request)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

__all__ = ["ENTRIES", "cached", "remember"]

ENTRIES = 64
"""Routers, content-free scores and shortlists kept per tool list (a shortlist is one)."""
_T = TypeVar("_T")


def cached(cache: dict, key: tuple, make: Callable[[], _T]) -> _T:
    """`cache[key]`, made on a miss; the oldest entries go beyond ENTRIES."""
    if key in cache:
        cache[key] = cache.pop(key)  # most recent last
        return cache[key]
    return remember(cache, key, make())


def remember(cache: dict, key: tuple, value: _T) -> _T:
    """Store `value` as the most recent entry; the oldest go beyond ENTRIES."""
    cache.pop(key, None)
    cache[key] = value
    while len(cache) > ENTRIES:
        cache.pop(next(iter(cache)))
    return value
