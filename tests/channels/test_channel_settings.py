"""ChannelSettings.from_env: defaults, optional platforms, all problems in one error."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.errors import SettingsError
from channels.messages import Messages
from channels.ratelimit import RateLimiter
from channels.settings import ChannelSettings

ZALO = {
    "ZALO_APP_ID": "123",
    "ZALO_APP_SECRET_KEY": "app-secret",
    "ZALO_OA_SECRET_KEY": "oa-secret",
    "ZALO_ACCESS_TOKEN": "at",
    "ZALO_REFRESH_TOKEN": "rt",
}


def test_defaults_bind_loopback_and_disable_platforms() -> None:
    settings = ChannelSettings.from_env({})
    assert (settings.web_host, settings.web_port) == ("127.0.0.1", 8080)
    assert settings.charts_dir == Path("var/charts")
    assert settings.max_message_chars == 1000
    assert settings.telegram is None
    assert settings.zalo is None


def test_platforms_start_only_when_configured() -> None:
    settings = ChannelSettings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc", **ZALO})
    assert settings.telegram is not None
    assert settings.telegram.mode == "polling"
    assert settings.zalo is not None
    assert settings.zalo.api_base == "https://openapi.zalo.me"
    assert (settings.zalo.reply_window_s, settings.zalo.max_replies) == (48 * 3600, 8)
    assert "1:abc" not in repr(settings)
    assert "oa-secret" not in repr(settings)


def test_every_problem_is_reported_at_once() -> None:
    env = {
        "ASSISTANT_WEB_PORT": "http",
        "ASSISTANT_MAX_MESSAGE_CHARS": "0",
        "TELEGRAM_BOT_TOKEN": "1:abc",
        "TELEGRAM_MODE": "webhook",
        "ZALO_APP_ID": "123",
    }
    with pytest.raises(SettingsError) as info:
        ChannelSettings.from_env(env)
    message = str(info.value)
    for part in (
        "ASSISTANT_WEB_PORT='http'",
        "ASSISTANT_MAX_MESSAGE_CHARS=0",
        "TELEGRAM_WEBHOOK_SECRET",
        "ZALO_OA_SECRET_KEY",
        "ZALO_REFRESH_TOKEN",
    ):
        assert part in message


def test_vietnamese_messages_load_nfc_and_complete() -> None:
    messages = Messages.load()
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
