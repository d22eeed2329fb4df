"""Zalo OA: signed webhook events -> Gateway -> OA v3 customer-service messages.

`ZaloChannel` owns `POST /webhooks/zalo` (signature check, then the turn in the background);
`ZaloBridge` handles one verified event; `ZaloClient` speaks the OA API.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from channels.base import Channel, ChannelContext
from channels.body import BodyTooLarge, MalformedBody, parse_object, read_capped
from channels.errors import ZaloApiError, ZaloTokenError
from channels.gateway import Gateway
from channels.render import Reply, render_zalo
from channels.zalo_store import ProcessedEvents, TokenStore, ZaloOutbox
from settings.services import Settings, ZaloSettings

__all__ = [
    "SIGNATURE_HEADER",
    "TOKEN_EXPIRED",
    "ZaloBridge",
    "ZaloChannel",
    "ZaloClient",
    "event_key",
    "signed_timestamp",
    "verify_signature",
]

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = -216  # "access token is invalid": refresh once and retry
SIGNATURE_HEADER = "X-ZEvent-Signature"


# the signed timestamp is read without parsing the (unverified) JSON body
_TIMESTAMP_RE = re.compile(rb'"timestamp"\s*:\s*"?([0-9]{1,20})"?')


def signed_timestamp(raw_body: bytes) -> str | None:
    """The event's top-level ``timestamp`` (ms) as signed, found without parsing the body."""
    found = _TIMESTAMP_RE.search(raw_body)
    return found.group(1).decode() if found else None


def verify_signature(settings: ZaloSettings, raw_body: bytes, header: str | None) -> bool:
    """X-ZEvent-Signature == "mac=" + sha256(app_id + raw body + timestamp + OA secret key).

    Checked before the body is parsed: an unsigned body is never decoded as JSON.
    """
    timestamp = signed_timestamp(raw_body)
    if not header or timestamp is None:
        return False
    try:
        body = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    material = settings.app_id + body + timestamp + settings.oa_secret_key
    expected = "mac=" + hashlib.sha256(material.encode("utf-8")).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode())


class ZaloClient:
    """OA v3 API client with single-use refresh-token rotation."""

    def __init__(self, settings: ZaloSettings, tokens: TokenStore, http: httpx.AsyncClient) -> None:
        self._settings = settings
        self._tokens = tokens
        self._http = http
        self._refresh_lock = asyncio.Lock()

    async def send(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """Send one CS message; refresh the access token once on error -216."""
        used = self._tokens.tokens.access_token
        result = await self._post_message(used, user_id, message)
        if result.get("error") == TOKEN_EXPIRED:
            await self.refresh(expired=used)
            result = await self._post_message(self._tokens.tokens.access_token, user_id, message)
        if result.get("error", 0) != 0:
            raise ZaloApiError(
                f"Zalo message/cs failed: error {result.get('error')} {result.get('message')!r}",
                code=int(result.get("error", -1)),
            )
        return result

    async def refresh(self, *, expired: str) -> None:
        """Exchange the refresh token (once, even under concurrent calls) and persist the pair."""
        async with self._refresh_lock:
            if self._tokens.tokens.access_token != expired:
                return  # another task already refreshed
            url = f"{self._settings.oauth_base}/v4/oa/access_token"
            form = {
                "app_id": self._settings.app_id,
                "grant_type": "refresh_token",
                "refresh_token": self._tokens.tokens.refresh_token,
            }
            try:
                response = await self._http.post(
                    url, data=form, headers={"secret_key": self._settings.app_secret_key}
                )
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise ZaloTokenError(f"Zalo token refresh at {url} failed: {exc!r}") from exc
            if not body.get("access_token") or not body.get("refresh_token"):
                raise ZaloTokenError(
                    f"Zalo token refresh refused: {body.get('error')} {body.get('error_name')!r}; "
                    "issue new tokens in the Zalo developer console and set ZALO_ACCESS_TOKEN / "
                    f"ZALO_REFRESH_TOKEN (and delete {self._tokens.path})"
                )
            self._tokens.save(body["access_token"], body["refresh_token"])
            logger.info("zalo: access token refreshed")

    async def _post_message(
        self, token: str, user_id: str, message: dict[str, Any]
    ) -> dict[str, Any]:
        url = f"{self._settings.api_base}/v3.0/oa/message/cs"
        body = {"recipient": {"user_id": user_id}, "message": message}
        try:
            response = await self._http.post(url, json=body, headers={"access_token": token})
            result = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ZaloApiError(f"Zalo message/cs at {url} failed: {exc!r}") from exc
        return result if isinstance(result, dict) else {"error": -1, "message": "not an object"}


class ZaloBridge:
    """Handles one verified webhook event (called as a background task)."""

    def __init__(self, gateway: Gateway, client: ZaloClient, outbox: ZaloOutbox) -> None:
        self.gateway = gateway
        self.client = client
        self.outbox = outbox
        self._seen: OrderedDict[str, None] = OrderedDict()  # Zalo retries deliveries

    async def handle_event(self, event: dict[str, Any]) -> None:
        """Answer one text, image, location, sticker or follow event; ignore the rest."""
        name = event.get("event_name")
        msgs = self.gateway.messages
        if name == "follow":
            user_id = str((event.get("follower") or {}).get("id", ""))
            if user_id:
                self.outbox.user_message(user_id)
                replies = [Reply(text=msgs.zalo_follow), Reply(text=msgs.privacy_notice)]
                await self.deliver(user_id, replies)
            return
        user_id = str((event.get("sender") or {}).get("id", ""))
        message = event.get("message") or {}
        if not user_id or not isinstance(message, dict) or self._duplicate(message.get("msg_id")):
            return
        acks = {
            "user_send_image": msgs.zalo_image,
            "user_send_location": msgs.zalo_location,
            "user_send_sticker": msgs.zalo_sticker,
        }
        if name == "user_send_text":
            self.outbox.user_message(user_id)
            text = message.get("text")
            replies = await self.gateway.handle(
                "zalo", user_id, text if isinstance(text, str) else ""
            )
            await self.deliver(user_id, replies)
        elif name in acks:
            self.outbox.user_message(user_id)
            await self.deliver(user_id, [Reply(text=acks[str(name)])])
        else:
            logger.debug("zalo: ignoring event %s", name)

    def _duplicate(self, msg_id: object) -> bool:
        if not isinstance(msg_id, str) or not msg_id:
            return False
        if msg_id in self._seen:
            return True
        self._seen[msg_id] = None
        if len(self._seen) > 10_000:
            self._seen.popitem(last=False)
        return False

    async def deliver(self, user_id: str, replies: list[Reply]) -> None:
        """Send replies inside the user's window; the rest is logged and kept in the outbox."""
        for message in render_zalo(replies, choose_text=self.gateway.messages.choose):
            reason = self.outbox.reserve(user_id)
            if reason is not None:
                logger.warning("zalo: reply not sent (%s); kept in the outbox", reason)
                self.outbox.keep(user_id, message, reason)
                continue
            try:
                await self.client.send(user_id, message)
            except ZaloApiError as exc:
                logger.warning("zalo: send failed: %s; kept in the outbox", exc)
                self.outbox.keep(user_id, message, f"api_error:{exc.code}")


class ZaloChannel(Channel):
    """`POST /webhooks/zalo`: checks the signature, answers 200 at once, runs the turn after."""

    name = "zalo"

    def __init__(
        self,
        settings: ZaloSettings,
        *,
        tokens_path: Path,
        db_url: str,
        max_body_bytes: int = 65_536,
    ) -> None:
        self.settings = settings
        self._tokens_path = tokens_path
        self._db_url = db_url
        self._max_body_bytes = max_body_bytes
        self._bridge: ZaloBridge | None = None
        self._events: ProcessedEvents | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloChannel | None:
        """Configured when all five `ZALO_*` credentials are set; state files in the var dir."""
        if not settings.zalo.enabled:
            return None
        return cls(
            settings.zalo,
            tokens_path=settings.paths.var_dir / "zalo_tokens.json",
            db_url=settings.stores.db_url,
            max_body_bytes=settings.web.webhook_max_body_bytes,
        )

    def routes(self) -> list[BaseRoute]:
        """`POST /webhooks/zalo`."""
        return [Route("/webhooks/zalo", self._webhook, methods=["POST"])]

    async def start(self, context: ChannelContext) -> None:
        """Open the token file and the outbox; send through the app's HTTP client."""
        tokens = TokenStore(
            self._tokens_path,
            access_token=self.settings.access_token,
            refresh_token=self.settings.refresh_token,
        )
        outbox = ZaloOutbox(
            self._db_url,
            window_s=self.settings.reply_window_s,
            max_replies=self.settings.max_replies,
        )
        client = ZaloClient(self.settings, tokens, context.http)
        self._bridge = ZaloBridge(context.gateway, client, outbox)
        self._events = ProcessedEvents(self._db_url)

    async def stop(self) -> None:
        """Close the outbox."""
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            bridge.outbox.close()

    async def _webhook(self, request: Request) -> Response:
        if self._bridge is None or self._events is None:
            return JSONResponse({"error": "zalo channel is not running"}, 503)
        try:
            raw = await read_capped(request, self._max_body_bytes)
        except BodyTooLarge:
            return JSONResponse({"error": "body too large"}, 413)
        except MalformedBody as exc:
            return JSONResponse({"error": str(exc)}, 400)
        signature = request.headers.get(SIGNATURE_HEADER)
        if not verify_signature(self.settings, raw, signature):
            logger.warning("zalo: webhook call with a bad signature rejected")
            return JSONResponse({"error": "bad signature"}, 401)
        try:
            event = parse_object(raw)
        except MalformedBody as exc:
            return JSONResponse({"error": str(exc)}, 400)
        timestamp = signed_timestamp(raw)
        if str(event.get("timestamp")) != timestamp:
            return JSONResponse({"error": "the signed timestamp is not the event's"}, 400)
        age_s = abs(time.time() - int(timestamp or 0) / 1000)
        if age_s > self.settings.max_event_age_s:
            logger.warning("zalo: event %.0f s away from now refused (replay?)", age_s)
            return JSONResponse({"error": "event timestamp outside the accepted window"}, 400)
        if not self._events.first_time(event_key(event, signature or "")):
            return JSONResponse({"ok": True, "duplicate": True})
        # Zalo wants 200 within 2 s: the turn runs after the response is sent
        task = BackgroundTask(_run_event, self._bridge, event)
        return JSONResponse({"ok": True}, background=task)


def event_key(event: dict[str, Any], signature: str) -> str:
    """Zalo's message id when the event has one (a redelivery keeps it), else the signature
    (a replay of the same signed body)."""
    message = event.get("message")
    msg_id = message.get("msg_id") if isinstance(message, dict) else None
    if isinstance(msg_id, str) and msg_id:
        return f"msg:{msg_id}"
    return f"mac:{signature.strip()}"


async def _run_event(bridge: ZaloBridge, event: dict[str, Any]) -> None:
    try:
        await bridge.handle_event(event)
    except Exception:  # a background task has nobody to report to: log it with the trace
        logger.exception("zalo: event %s failed", event.get("event_name"))
