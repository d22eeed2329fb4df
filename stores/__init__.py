"""Shared state of the services runtime: one SQL engine per URL, and Redis when configured.

Every module that keeps state beyond one process (analytics turns, Zalo event ids and outbox,
FAQ versions, rate limits, button payloads) gets its connection here, so a deployment points all
of them at PostgreSQL / Redis with two settings (``ASSISTANT_DB_URL``, ``ASSISTANT_REDIS_URL``).
"""

from __future__ import annotations

from stores.errors import StoreUnavailable
from stores.shared import redis_client
from stores.sql import engine, ensure_tables

__all__ = ["StoreUnavailable", "engine", "ensure_tables", "redis_client"]
