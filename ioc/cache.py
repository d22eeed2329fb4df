"""A small thread-safe cache with a size bound (least recently used out) and a time to live.

The action server runs for months: every cache it holds must forget. ``cachetools.TLRUCache``
does the same but is not in the locks, and this is the whole of what the IOC source and the
last-good answers need (one lock, one ``OrderedDict``).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most ``max_items`` values, each forgotten ``ttl_s`` seconds after it was stored."""

    def __init__(
        self,
        max_items: int,
        ttl_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_items < 1:
            raise ValueError(f"max_items={max_items} must be >= 1")
        self.max_items = max_items
        self.ttl_s = ttl_s
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()  # key -> (expiry, value)
        self._lock = threading.Lock()
        self.evictions = 0  # values dropped for room (not for age), for tests and /health

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def get(self, key: K) -> V | None:
        """The value stored under ``key`` if it has not expired (it becomes the most recent)."""
        now = self._clock()
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            if item[0] <= now:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: K, value: V) -> None:
        """Store ``value``; drop expired values, then the least recently used beyond the bound."""
        if self.ttl_s <= 0:
            return
        now = self._clock()
        with self._lock:
            self._items[key] = (now + self.ttl_s, value)
            self._items.move_to_end(key)
            # values are stored in expiry order except when re-read; the oldest come first
            while self._items:
                oldest_key, (expiry, _) = next(iter(self._items.items()))
                if expiry > now and len(self._items) <= self.max_items:
                    break
                del self._items[oldest_key]
                if expiry > now:
                    self.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
