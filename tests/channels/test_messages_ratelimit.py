"""Channel messages (Vietnamese, NFC, complete) and the per-user rate limiter."""

from __future__ import annotations

from channels.messages import Messages
from channels.ratelimit import RateLimiter
from settings.services import load_settings


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
