"""The turn every channel shares: NFC, length and rate limits, Rasa call, reply parsing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import httpx

from actions.identity import bridge_claim
from channels.errors import RasaUnavailable
from channels.messages import Messages
from channels.rasa_client import RasaClient
from channels.ratelimit import Limiter, build_rate_limiter
from channels.render import Reply, parse_rasa
from inbox.feedback import Vote, parse_vote, record_vote
from inbox.store import open_engine
from settings.services import IdentitySettings, Settings
from stores import StoreUnavailable, redis_client
from vitext import nfc, redact_pii

__all__ = ["Gateway", "build_gateway"]

logger = logging.getLogger(__name__)


class Gateway:
    """Turns one platform message into Rasa replies (or a polite Vietnamese refusal)."""

    def __init__(
        self,
        rasa: RasaClient,
        messages: Messages,
        *,
        rate_limiter: Limiter,
        max_message_chars: int,
        record_vote: Callable[[Vote], bool] | None = None,
        identity: IdentitySettings | None = None,
    ) -> None:
        self.rasa = rasa
        self._identity = identity
        self.messages = messages
        self._limiter = rate_limiter
        self._max_chars = max_message_chars
        self._record_vote = record_vote

    async def vote(self, vote: Vote) -> list[Reply]:
        """Store a 👍/👎 with its turn (never sent to Rasa); a thank-you either way."""
        if self._record_vote is not None:
            try:
                await asyncio.to_thread(self._record_vote, vote)
            except StoreUnavailable as exc:
                logger.warning("feedback not stored: %s", exc)
        return [Reply(text=self.messages.feedback_thanks)]

    async def handle(
        self,
        channel: str,
        user_id: str,
        text: str,
        *,
        sender: str | None = None,
        extra_metadata: dict[str, Any] | None = None,
        private_chat: bool = True,
    ) -> list[Reply]:
        """One turn for `user_id` on `channel`; Rasa sender id defaults to `<channel>:<user_id>`.

        An allow-listed staff user in a private chat gets a short-lived claim signed here and
        bound to `sender` (actions.identity); group chats never carry one.
        """
        sender = sender or f"{channel}:{user_id}"
        if not self._limiter.allow(sender):
            logger.info("rate limit hit for a %s user", channel)
            return [Reply(text=self.messages.rate_limited)]
        text = nfc(text).strip()
        if not text:
            return [Reply(text=self.messages.empty)]
        if len(text) > self._max_chars:
            logger.info(
                "%s message of %d chars refused (max %d)", channel, len(text), self._max_chars
            )
            return [Reply(text=self.messages.too_long.format(max_chars=self._max_chars))]
        vote = parse_vote(text)
        if vote is not None:  # a 👍/👎 button pressed on Telegram or Zalo
            return await self.vote(vote)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s <- %s", channel, redact_pii(text))
        metadata: dict[str, Any] = {"channel": channel, "user_id": user_id}
        metadata.update(extra_metadata or {})
        metadata.pop("role_token", None)  # only this bridge's own signature counts
        if private_chat and self._identity is not None:
            claim = bridge_claim(channel, user_id, sender, self._identity)
            if claim:
                metadata["role_token"] = claim
        try:
            replies = parse_rasa(await self.rasa.send(sender, text, metadata))
        except RasaUnavailable as exc:
            logger.warning("%s turn failed: %s", channel, exc)
            return [Reply(text=self.messages.unavailable)]
        return replies


def build_gateway(settings: Settings, *, http: httpx.AsyncClient | None = None) -> Gateway:
    """The shared turn pipeline for the server-side channels (Telegram, Zalo)."""
    web = settings.web
    rasa = RasaClient(web.rasa_url, timeout_s=web.rasa_timeout_s, client=http)
    db_url = settings.stores.db_url

    def store_vote(vote: Vote) -> bool:
        return record_vote(open_engine(db_url), vote)

    return Gateway(
        rasa,
        Messages.load(settings.paths.messages_dir / "channels.yml"),
        rate_limiter=build_rate_limiter(
            web.rate_limit_per_min,
            redis=redis_client(settings.stores.redis_url),
            prefix="assistant:rate:sender",
        ),
        max_message_chars=web.max_message_chars,
        record_vote=store_vote,
        identity=settings.identity,
    )
