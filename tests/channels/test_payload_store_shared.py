"""Telegram button payloads shared through the real Redis on loopback (several processes)."""

from __future__ import annotations

import uuid

import pytest
from redis import Redis

from channels.render import PayloadStore, RedisPayloadStore
from channels.telegram import payload_store
from settings.services import load_settings
from stores import StoreUnavailable

REDIS_URL = "redis://127.0.0.1:6379/15"
LONG = "/ask_faq" + '{"faq_id": "yte-bhyt-gia-han", "domain": "y_te", "note": "' + "x" * 80 + '"}'


def _stores() -> tuple[RedisPayloadStore, RedisPayloadStore, str]:
    prefix = f"test:payload:{uuid.uuid4().hex[:8]}:"
    client = Redis.from_url(REDIS_URL)
    # two processes = two stores with their own LRU, one Redis
    return (
        RedisPayloadStore(client, prefix=prefix),
        RedisPayloadStore(client, prefix=prefix),
        prefix,
    )


def test_a_button_rendered_by_one_process_works_in_another() -> None:
    first, second, prefix = _stores()
    key = first.encode(LONG)
    assert key.startswith("#")
    assert len(key.encode()) <= 64
    assert second.decode(key) == LONG
    assert second.decode("/greet") == "/greet"  # short payloads are their own key
    ttl = Redis.from_url(REDIS_URL).ttl(prefix + key)
    assert 0 < ttl <= 30 * 24 * 3600  # kept for a month, not forever


def test_unknown_key_is_none() -> None:
    first, _, _ = _stores()
    assert first.decode("#" + "0" * 32) is None


def test_redis_down_keeps_the_local_buttons_working() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    store = RedisPayloadStore(dead)
    key = store.encode(LONG)  # logged, not raised
    assert store.decode(key) == LONG
    assert store.decode("#" + "1" * 32) is None


def test_factory_uses_redis_only_when_configured() -> None:
    assert type(payload_store(load_settings({}))) is PayloadStore
    shared = payload_store(load_settings({"ASSISTANT_REDIS_URL": REDIS_URL}))
    assert isinstance(shared, RedisPayloadStore)
    with pytest.raises(StoreUnavailable, match=r"127\.0\.0\.1:1"):
        payload_store(load_settings({"ASSISTANT_REDIS_URL": "redis://127.0.0.1:1/0"}))
