"""Source over a real IOC REST API (contract: docs/ioc-api.md), with retries and a TTL cache.

The cache key holds ``as_of_before`` rounded down to the cache's time to live, so the turns of
one TTL window share their answers (a key with the exact second would never be read again),
and the cache is bounded: the least recently used answers go first.
"""

from __future__ import annotations

import logging
import time
from datetime import date, datetime
from typing import Any

import httpx

from ioc.cache import BoundedCache
from ioc.errors import NoData, SourceUnavailable
from ioc.model import Observation

__all__ = ["HttpSource"]

logger = logging.getLogger(__name__)


class HttpSource:
    """``Source`` backed by ``GET /v1/observations`` and ``GET /v1/observations/latest``."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str = "",
        timeout_s: float = 5.0,
        retries: int = 3,
        backoff_s: float = 0.2,
        cache_ttl_s: float = 60.0,
        cache_max_items: int = 1024,
        client: httpx.Client | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client = client or httpx.Client(
            base_url=base_url.rstrip("/"), headers=headers, timeout=httpx.Timeout(timeout_s)
        )
        self._retries = retries
        self._backoff_s = backoff_s
        self._ttl_s = cache_ttl_s
        self.cache: BoundedCache[tuple[str, tuple[tuple[str, str], ...]], dict[str, Any]] = (
            BoundedCache(cache_max_items, cache_ttl_s)
        )
        self.requests_sent = 0  # HTTP attempts, for tests and the benchmark

    def close(self) -> None:
        self._client.close()

    def observations(
        self, indicator: str, area: str, start: date, end: date, *, as_of_before: datetime
    ) -> list[Observation]:
        data = self._get(
            "/v1/observations",
            {
                "indicator": indicator,
                "area": area,
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
            as_of_before,
        )
        return [self._parse(item) for item in data.get("observations", [])]

    def latest(self, indicator: str, area: str, *, as_of_before: datetime) -> Observation | None:
        data = self._get(
            "/v1/observations/latest",
            {
                "indicator": indicator,
                "area": area,
            },
            as_of_before,
        )
        item = data.get("observation")
        return self._parse(item) if item else None

    @staticmethod
    def _parse(item: dict[str, Any]) -> Observation:
        try:
            return Observation.from_json(item)
        except (KeyError, TypeError, ValueError) as exc:
            raise SourceUnavailable(
                f"IOC API returned a malformed observation {item!r} ({exc}); see docs/ioc-api.md"
            ) from exc

    def _get(self, path: str, params: dict[str, str], as_of_before: datetime) -> dict[str, Any]:
        # "published before now" asked twice within the TTL is the same question: key it so
        key = (path, tuple(sorted({**params, "as_of": self._window(as_of_before)}.items())))
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        data = self._get_with_retries(
            path, {**params, "as_of_before": as_of_before.isoformat(timespec="seconds")}
        )
        self.cache.put(key, data)
        return data

    def _window(self, moment: datetime) -> str:
        """``moment`` rounded down to the cache's time to live (whole seconds)."""
        step = max(1, int(self._ttl_s))
        stamp = int(moment.timestamp())
        return datetime.fromtimestamp(stamp - stamp % step, moment.tzinfo).isoformat()

    def _get_with_retries(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        last_error = ""
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(self._backoff_s * 2 ** (attempt - 1))
            self.requests_sent += 1
            try:
                response = self._client.get(path, params=params)
            except httpx.TimeoutException as exc:
                last_error = f"timeout ({exc.__class__.__name__})"
            except httpx.TransportError as exc:
                last_error = f"connection error ({exc})"
            else:
                if response.status_code >= 500:
                    last_error = f"HTTP {response.status_code}"
                elif response.status_code == 404:
                    raise NoData(f"IOC API {path} answered 404 for {params}")
                elif response.status_code >= 400:
                    raise SourceUnavailable(
                        f"IOC API {path} rejected the request: HTTP {response.status_code} "
                        f"{response.text[:200]!r}; check ASSISTANT_IOC_API_TOKEN, docs/ioc-api.md"
                    )
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        raise SourceUnavailable(f"IOC API {path} returned invalid JSON") from exc
                    if not isinstance(data, dict):
                        raise SourceUnavailable(f"IOC API {path} returned {type(data).__name__}")
                    return data
            logger.warning("IOC API %s attempt %d failed: %s", path, attempt + 1, last_error)
        raise SourceUnavailable(
            f"IOC API {path} failed after {self._retries + 1} attempts ({last_error}); "
            "check ASSISTANT_IOC_API_URL and that the IOC API is up"
        )
