"""httpx client for Rasa's REST channel (`POST /webhooks/rest/webhook`)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from channels.errors import RasaUnavailable

__all__ = ["RasaClient"]

logger = logging.getLogger(__name__)


class RasaClient:
    """Send one user message to Rasa and return its reply dicts."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout_s: float = 30.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=5.0))

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Post the message; raise `RasaUnavailable` on network errors or a bad answer."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            response = await self._client.post(self._url, json=body)
            response.raise_for_status()
            replies = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"Rasa REST webhook {self._url} failed: {exc!r}") from exc
        if not isinstance(replies, list):
            raise RasaUnavailable(f"Rasa REST webhook {self._url} returned {type(replies)}")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def aclose(self) -> None:
        """Close the HTTP client when this object created it."""
        if self._own_client:
            await self._client.aclose()
