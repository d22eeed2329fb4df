"""Channel messages (Vietnamese, NFC, complete) and the per-user rate limiter."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis
from redis.exceptions import RedisError

from channels.messages import Messages
from channels.ratelimit import RateLimiter, RedisRateLimiter, build_rate_limiter
from settings.services import load_settings
from stores import redis_client


def test_vietnamese_messages_load_nfc_and_complete() -> None:
    messages = Messages.load(load_settings({}).paths.messages_dir / "channels.yml")
    assert "{max_chars}" in messages.too_long
    assert messages.choose == "Ý bạn là…?"


def test_rate_limiter_sliding_window() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.allow("a"), limiter.allow("a"), limiter.allow("a")] == [True, True, False]
    assert limiter.allow("b")
    now[0] = 60.0
    assert limiter.allow("a")


def test_rate_limiter_forgets_least_recent_users_beyond_capacity() -> None:
    limiter = RateLimiter(1, max_keys=2)
    assert limiter.allow("a")
    assert limiter.allow("b")
    assert limiter.allow("c")  # evicts "a"
    assert limiter.allow("a")  # a fresh window again
    assert not limiter.allow("c")


def _redis() -> Redis:
    client = redis_client("redis://127.0.0.1:6379/15", check=False)
    assert client is not None
    try:
        client.ping()
    except RedisError as exc:
        pytest.fail(f"Redis on 127.0.0.1:6379 is needed for this test: {exc}")
    return client


def test_redis_rate_limit_is_shared_by_two_limiters() -> None:
    client = _redis()
    prefix = f"test:rate:{uuid.uuid4().hex}"
    first = build_rate_limiter(3, redis=client, prefix=prefix)
    second = build_rate_limiter(3, redis=client, prefix=prefix)  # another process, same Redis
    assert isinstance(first, RedisRateLimiter)
    allowed = [first.allow("u"), second.allow("u"), first.allow("u"), second.allow("u")]
    assert allowed == [True, True, True, False]
    assert first.allow("other user")
    assert client.ttl(f"{prefix}:u") <= 60


def test_redis_rate_limit_window_slides() -> None:
    client = _redis()
    now = [1000.0]
    limiter = RedisRateLimiter(
        client, 1, prefix=f"test:rate:{uuid.uuid4().hex}", clock=lambda: now[0]
    )
    assert limiter.allow("u")
    assert not limiter.allow("u")
    now[0] += 61
    assert limiter.allow("u")


def test_redis_failure_falls_back_to_the_process_window() -> None:
    broken = redis_client("redis://127.0.0.1:1/0", check=False)
    limiter = build_rate_limiter(1, redis=broken, prefix="test:rate:broken")
    assert limiter.allow("u")
    assert not limiter.allow("u")
