"""Redis for state shared by several processes (None when not configured: one process only)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from stores.errors import StoreUnavailable

if TYPE_CHECKING:
    from redis import Redis

__all__ = ["redis_client"]

_clients: dict[str, Redis] = {}
_checked: set[str] = set()
_lock = threading.Lock()


def redis_client(url: str, *, check: bool = True) -> Redis | None:
    """The process-wide client for ``url``; ``None`` for an empty URL.

    With ``check`` the server is pinged once, so a wrong address fails at start with one clear
    error (:class:`StoreUnavailable`) instead of on the first user's turn.
    """
    if not url:
        return None
    with _lock:
        from redis import Redis
        from redis.exceptions import RedisError

        client = _clients.get(url)
        if client is None:
            client = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
            _clients[url] = client
        if check and url not in _checked:
            try:
                client.ping()
            except RedisError as exc:
                raise StoreUnavailable(
                    f"Redis at {url.split('@')[-1]} (ASSISTANT_REDIS_URL) is unreachable: {exc}"
                ) from exc
            _checked.add(url)
        return client
