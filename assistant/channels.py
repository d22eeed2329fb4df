"""Rasa's own REST and socket.io channels with the limits of a turn enforced on the server.

Registered in ``credentials.yml`` instead of ``rest:`` / ``socketio:``; they keep Rasa's
standard protocols and URLs (``/webhooks/rest/webhook``, ``/socket.io``), so third-party Rasa
widgets keep working, but every client, not only the project's widget, meets the limits:

- a message longer than ``ASSISTANT_MAX_MESSAGE_CHARS`` gets the short polite refusal of
  ``data/messages/channels.yml`` and never reaches the NLU (DIET's cost grows with the square of
  the tokens);
- ``ASSISTANT_RATE_LIMIT_PER_MIN`` messages per sender and ``ASSISTANT_CLIENT_RATE_LIMIT_PER_MIN``
  per client address (Redis-backed when ``ASSISTANT_REDIS_URL`` is set);
- request bodies and socket.io packets are capped at ``ASSISTANT_MAX_BODY_BYTES`` before they
  are parsed (``assistant.serve`` sets Sanic's limits; the socket.io server's buffer is set here).
"""

import functools
import logging
import unicodedata
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, FrozenSet, Optional, Text

import yaml
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.ratelimit import Limiter, build_rate_limiter
from settings.rasa import RasaSettings, load_rasa_settings
from stores.shared import redis_client

__all__ = ["LimitedRestInput", "LimitedSocketIOInput", "TurnLimits", "turn_limits"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Refusal:
    text: str
    rate_limited: bool


class TurnLimits:
    """The checks every incoming message passes before Rasa sees it."""

    def __init__(self, settings: RasaSettings, *, redis: Any = None) -> None:
        self.max_chars = settings.max_message_chars
        self.max_body_bytes = settings.max_body_bytes
        self._per_sender: Limiter = build_rate_limiter(
            max(1, settings.rate_limit_per_min), redis=redis, prefix="assistant:rate:rasa-sender"
        )
        self._per_client: Optional[Limiter] = (
            build_rate_limiter(
                settings.client_rate_limit_per_min, redis=redis, prefix="assistant:rate:rasa-client"
            )
            if settings.client_rate_limit_per_min > 0
            else None
        )
        self._exempt: FrozenSet[str] = frozenset(
            part.strip() for part in settings.rate_limit_exempt_clients.split(",") if part.strip()
        )
        path = settings.data_dir / "messages" / "channels.yml"
        messages = yaml.safe_load(path.read_text(encoding="utf-8"))
        self._too_long = str(messages["too_long"]).format(max_chars=self.max_chars)
        self._rate_limited = str(messages["rate_limited"])

    def check(self, sender: Text, client: Text, text: Any) -> Optional[Refusal]:
        """A refusal for this message, or None when it may go to Rasa."""
        if isinstance(text, str) and len(unicodedata.normalize("NFC", text)) > self.max_chars:
            logger.info("message of %d chars refused (max %d)", len(text), self.max_chars)
            return Refusal(self._too_long, rate_limited=False)
        if self._per_client and client not in self._exempt and not self._per_client.allow(client):
            logger.info("client rate limit hit")
            return Refusal(self._rate_limited, rate_limited=True)
        if not self._per_sender.allow(sender):
            logger.info("sender rate limit hit")
            return Refusal(self._rate_limited, rate_limited=True)
        return None


@functools.lru_cache(maxsize=1)
def turn_limits() -> TurnLimits:
    """The process's limits (both channels share the per-sender and per-client windows)."""
    settings = load_rasa_settings()
    return TurnLimits(settings, redis=redis_client(settings.redis_url))


def _client_address(request: Request) -> Text:
    return str(request.remote_addr or request.ip or "")


class LimitedRestInput(RestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) behind :class:`TurnLimits`."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        limits = turn_limits()

        @webhook.middleware("request")
        async def limit(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST" or not request.path.rstrip("/").endswith("/webhook"):
                return None
            try:
                body = request.json
            except InvalidUsage:
                return response.json({"error": "the body is not JSON"}, status=400)
            if not isinstance(body, dict):
                return response.json({"error": "the body must be a JSON object"}, status=400)
            sender, message = body.get("sender"), body.get("message")
            if sender is not None and not isinstance(sender, (str, int)):
                return response.json({"error": "'sender' must be a string"}, status=400)
            if message is not None and not isinstance(message, str):
                return response.json({"error": "'message' must be a string"}, status=400)
            refusal = limits.check(str(sender), _client_address(request), message)
            if refusal is None:
                return None
            reply = [{"recipient_id": str(sender), "text": refusal.text}]
            return response.json(reply, status=429 if refusal.rate_limited else 200)

        return webhook


class LimitedSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel behind :class:`TurnLimits`; refusals come as a bot message."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        limits = turn_limits()
        sio = self.sio
        if sio is None:  # set by SocketIOInput.blueprint
            raise RuntimeError("SocketIOInput.blueprint did not create its server")
        # larger packets are dropped by engine.io before they are decoded
        sio.eio.max_http_buffer_size = limits.max_body_bytes
        namespace = self.namespace or "/"
        handle_message = sio.handlers[namespace][self.user_message_evt]

        async def limited(sid: Text, data: Dict[Text, Any]) -> None:
            if not isinstance(data, dict):
                return  # not Rasa's protocol: nothing to answer
            sender = data.get("session_id") if self.session_persistence else sid
            request = (sio.get_environ(sid, namespace=namespace) or {}).get("sanic.request")
            client = _client_address(request) if request is not None else ""
            refusal = limits.check(str(sender), client, data.get("message"))
            if refusal is None:
                await handle_message(sid, data)
                return
            await sio.emit(self.bot_message_evt, {"text": refusal.text}, room=sid)

        sio.on(self.user_message_evt, limited, namespace=self.namespace)
        return webhook
