"""Sliding-window rate limits: in memory (one process, bounded) or in Redis (shared).

Standard library only at import time (``redis`` is duck-typed), so the Rasa runtime's input
channels (``assistant/channels.py``) use the same limiter as the services' gateway.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Limiter", "RateLimiter", "RedisRateLimiter", "build_rate_limiter"]

logger = logging.getLogger(__name__)

WINDOW_S = 60.0


class Limiter(Protocol):
    """What the channels need: record one message of ``key``, False when it is over its limit."""

    def allow(self, key: str) -> bool: ...


class RateLimiter:
    """Allow at most `per_min` messages per key in any 60-second window (this process only)."""

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
        while hits and now - hits[0] >= WINDOW_S:
            hits.popleft()
        if len(hits) >= self._per_min:
            return False
        hits.append(now)
        return True


# One round trip, atomic: drop hits older than the window, count, add this one if allowed.
_SLIDING_WINDOW_LUA = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2]))
return 1
"""


class RedisRateLimiter:
    """The same limit kept in Redis, so every process (and every replica) shares it.

    When Redis fails during a turn the process falls back to its own in-memory window (logged
    once per outage): a broken cache never stops the citizens' conversations.
    """

    def __init__(
        self,
        redis: Any,
        per_min: int,
        *,
        prefix: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if per_min < 1:
            raise ValueError(f"per_min={per_min} must be >= 1")
        self._redis = redis
        self._per_min = per_min
        self._prefix = prefix
        self._clock = clock
        self._script = redis.register_script(_SLIDING_WINDOW_LUA)
        from redis.exceptions import RedisError

        self._errors: tuple[type[Exception], ...] = (RedisError, OSError)
        self._fallback = RateLimiter(per_min)
        self._failing = False

    def allow(self, key: str) -> bool:
        """Record one message from `key` in Redis; False when the key is over its limit."""
        now = self._clock()
        try:
            allowed = self._script(
                keys=[f"{self._prefix}:{key}"],
                args=[now, WINDOW_S, self._per_min, f"{now}:{uuid.uuid4().hex[:8]}"],
            )
        except self._errors as exc:
            if not self._failing:
                logger.warning("rate limits kept in this process: Redis failed: %s", exc)
                self._failing = True
            return self._fallback.allow(key)
        self._failing = False
        return bool(allowed)


def build_rate_limiter(per_min: int, *, redis: Any = None, prefix: str) -> Limiter:
    """Redis-backed when a client is given (``stores.redis_client``), else in memory."""
    if redis is None:
        return RateLimiter(per_min)
    return RedisRateLimiter(redis, per_min, prefix=prefix)
