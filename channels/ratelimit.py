"""Per-user sliding-window rate limit (in memory, bounded)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """Allow at most `per_min` messages per key in any 60-second window."""

    def __init__(
        self,
        per_min: int,
        *,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_min < 1:
            raise ValueError(f"per_min={per_min} must be >= 1")
        self._per_min = per_min
        self._max_keys = max_keys
        self._clock = clock
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Record one message from `key`; False when the key is over its limit."""
        now = self._clock()
        hits = self._hits.get(key)
        if hits is None:
            hits = deque()
            self._hits[key] = hits
            if len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)  # forget the least recently seen user
        else:
            self._hits.move_to_end(key)
        while hits and now - hits[0] >= 60.0:
            hits.popleft()
        if len(hits) >= self._per_min:
            return False
        hits.append(now)
        return True
