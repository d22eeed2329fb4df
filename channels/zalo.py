"""Zalo OA bridge: signed webhook events -> Gateway -> OA v3 customer-service messages."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections import OrderedDict
from typing import Any

import httpx

from channels.errors import ZaloApiError, ZaloTokenError
from channels.gateway import Gateway
from channels.render import Reply, render_zalo
from channels.zalo_store import TokenStore, ZaloOutbox
from settings.services import ZaloSettings

__all__ = ["TOKEN_EXPIRED", "ZaloBridge", "ZaloClient", "verify_signature"]

logger = logging.getLogger(__name__)

TOKEN_EXPIRED = -216  # "access token is invalid": refresh once and retry


def verify_signature(settings: ZaloSettings, raw_body: bytes, header: str | None) -> bool:
    """X-ZEvent-Signature == "mac=" + sha256(app_id + raw body + timestamp + OA secret key)."""
    if not header:
        return False
    try:
        timestamp = str(json.loads(raw_body)["timestamp"])
        body = raw_body.decode("utf-8")
    except (ValueError, KeyError, TypeError):
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
        name = event.get("event_name")
        msgs = self.gateway.messages
        if name == "follow":
            user_id = str((event.get("follower") or {}).get("id", ""))
            if user_id:
                self.outbox.user_message(user_id)
                await self.deliver(user_id, [Reply(text=msgs.zalo_follow)])
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
