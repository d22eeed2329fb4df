"""Telegram (python-telegram-bot v22): long polling by default, webhook inside the web app.

`python -m channels.telegram` runs long polling with a `TelegramBridge`; in webhook mode the web
app mounts `TelegramChannel`, which checks the secret token and feeds the bridge.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.base import Channel, ChannelContext
from channels.body import BodyTooLarge, MalformedBody, parse_object, read_capped
from channels.errors import TelegramApiError, TelegramUpdateError
from channels.gateway import Gateway, build_gateway
from channels.render import PayloadStore, RedisPayloadStore, Reply, render_telegram
from settings.services import Settings, SettingsError, TelegramSettings, get_settings
from stores import StoreUnavailable, redis_client
from vitext import install_log_redaction

__all__ = [
    "ALLOWED_UPDATES",
    "SECRET_HEADER",
    "TelegramBridge",
    "TelegramChannel",
    "main",
    "payload_store",
]

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def payload_store(settings: Settings) -> PayloadStore:
    """Button payloads in Redis when `ASSISTANT_REDIS_URL` is set (several web app processes),
    else in this process; an unreachable Redis fails here, at start, with one clear error."""
    client = redis_client(settings.stores.redis_url)
    return RedisPayloadStore(client) if client is not None else PayloadStore()


class TelegramBridge:
    """Telegram updates -> Gateway -> rendered replies (messages, inline keyboards, photos)."""

    def __init__(
        self,
        settings: TelegramSettings,
        gateway: Gateway,
        *,
        store: PayloadStore | None = None,
        polling: bool = True,
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.store = store or PayloadStore()
        builder = (
            ApplicationBuilder()
            .token(settings.bot_token)
            .base_url(settings.api_base_url)
            .base_file_url(settings.api_base_file_url)
            .rate_limiter(AIORateLimiter())
        )
        if not polling:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(CommandHandler("start", self._on_start))
        self.application.add_handler(CommandHandler("help", self._on_help))
        self.application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._on_text))
        self.application.add_handler(CallbackQueryHandler(self._on_callback))
        self.application.add_error_handler(self._on_error)

    async def enqueue(self, data: dict[str, Any]) -> None:
        """Queue one webhook update (already authenticated); `TelegramUpdateError` if malformed."""
        try:
            update = Update.de_json(data, self.application.bot)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise TelegramUpdateError(f"update {data.get('update_id')!r}: {exc!r}") from exc
        await self.application.update_queue.put(update)

    async def set_webhook(self) -> None:
        """Register `TELEGRAM_WEBHOOK_URL` with its secret token at the Bot API."""
        await self.application.bot.set_webhook(
            self.settings.webhook_url,
            secret_token=self.settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )

    async def _on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            msgs = self.gateway.messages
            await self._send(
                update.effective_chat.id,
                [Reply(text=msgs.telegram_start), Reply(text=msgs.privacy_notice)],
            )

    async def _on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat:
            await self._send(
                update.effective_chat.id, [Reply(text=self.gateway.messages.telegram_help)]
            )

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or message.text is None or user is None:
            return
        await self._turn(message.chat_id, user.id, message.text, private=_private(message.chat))

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await query.answer()  # stops the button's spinner; must come first
        chat_id = query.message.chat.id if query.message else query.from_user.id
        private = _private(query.message.chat) if query.message else True
        payload = self.store.decode(query.data or "")
        if payload is None:
            await self._send(chat_id, [Reply(text=self.gateway.messages.expired_button)])
            return
        await self._turn(chat_id, query.from_user.id, payload, private=private)

    async def _turn(self, chat_id: int, user_id: int, text: str, *, private: bool) -> None:
        bot = self.application.bot
        typing = asyncio.create_task(bot.send_chat_action(chat_id, ChatAction.TYPING))
        replies = await self.gateway.handle(
            "telegram",
            str(user_id),
            text,
            sender=f"tg:{chat_id}",
            private_chat=chat_id == user_id,  # staff data never in group chats
        )
        try:
            await typing
        except TelegramError as exc:
            logger.info("telegram: typing indicator failed: %s", exc)
        await self._send(chat_id, replies)

    async def _send(self, chat_id: int, replies: list[Reply]) -> None:
        bot = self.application.bot
        outs = render_telegram(replies, store=self.store, choose_text=self.gateway.messages.choose)
        for out in outs:
            if out.photo_url:
                try:
                    await bot.send_photo(chat_id, photo=out.photo_url)
                except TelegramError as exc:
                    # Telegram cannot fetch private URLs (e.g. 127.0.0.1): send the link instead
                    logger.warning("telegram: sendPhoto failed (%s); sending the link", exc)
                    await bot.send_message(chat_id, out.photo_url)
                continue
            markup = None
            if out.keyboard:
                markup = InlineKeyboardMarkup(
                    [
                        [InlineKeyboardButton(title, callback_data=data)]
                        for title, data in out.keyboard
                    ]
                )
            await bot.send_message(chat_id, out.text or "", reply_markup=markup)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.warning("telegram: update failed: %r", context.error)


def _private(chat: Chat) -> bool:
    return chat.type == Chat.PRIVATE


class TelegramChannel(Channel):
    """Webhook mode: `POST /webhooks/telegram` (secret token checked) feeds a `TelegramBridge`."""

    name = "telegram"

    def __init__(self, settings: TelegramSettings, *, max_body_bytes: int = 65_536) -> None:
        self.settings = settings
        self._max_body_bytes = max_body_bytes
        self._bridge: TelegramBridge | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramChannel | None:
        """Configured when a bot token is set and `TELEGRAM_MODE=webhook`."""
        telegram = settings.telegram
        if not telegram.enabled or telegram.mode != "webhook":
            return None
        return cls(telegram, max_body_bytes=settings.web.webhook_max_body_bytes)

    def routes(self) -> list[BaseRoute]:
        """`POST /webhooks/telegram`."""
        return [Route("/webhooks/telegram", self._webhook, methods=["POST"])]

    async def start(self, context: ChannelContext) -> None:
        """Start the bot application and register the webhook (when a URL is set)."""
        bridge = TelegramBridge(
            self.settings,
            context.gateway,
            store=payload_store(context.settings),
            polling=False,
        )
        application = bridge.application
        try:
            await application.initialize()
            await application.start()
            if self.settings.webhook_url:
                await bridge.set_webhook()
        except InvalidToken:
            await _shut_down(application)
            # not chained: ptb's message and traceback carry the token itself
            raise TelegramApiError(
                f"the Bot API at {self.settings.api_base_url} rejected TELEGRAM_BOT_TOKEN; "
                "copy the token from @BotFather again"
            ) from None
        except TelegramError as exc:
            await _shut_down(application)
            raise TelegramApiError(
                f"Telegram bot start-up at {self.settings.api_base_url} failed: {exc}; check "
                "TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET"
            ) from exc
        self._bridge = bridge

    async def stop(self) -> None:
        """Stop and shut down the bot application."""
        bridge, self._bridge = self._bridge, None
        if bridge is not None:
            await _shut_down(bridge.application)

    async def _webhook(self, request: Request) -> Response:
        if self._bridge is None:
            return JSONResponse({"error": "telegram channel is not running"}, 503)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.settings.webhook_secret.encode()):
            return JSONResponse({"error": "bad secret token"}, 403)
        try:
            data = parse_object(await read_capped(request, self._max_body_bytes))
        except BodyTooLarge:
            return JSONResponse({"error": "body too large"}, 413)
        except MalformedBody as exc:
            return JSONResponse({"error": str(exc)}, 400)
        if "update_id" not in data:
            return JSONResponse({"error": "not a Telegram update"}, 400)
        try:
            await self._bridge.enqueue(data)
        except TelegramUpdateError as exc:
            logger.warning("telegram: malformed webhook update rejected: %s", exc)
            return JSONResponse({"error": "not a Telegram update"}, 400)
        return JSONResponse({"ok": True})


async def _shut_down(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.running:
        await application.stop()
    await application.shutdown()  # a no-op when it was never initialised


def main() -> None:
    """`python -m channels.telegram`: long polling until Ctrl-C."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_redaction()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise SystemExit(f"error: {exc}") from exc
    if not settings.telegram.enabled:
        raise SystemExit("TELEGRAM_BOT_TOKEN is not set; see docs/channels.md")
    if settings.telegram.mode != "polling":
        raise SystemExit("TELEGRAM_MODE=webhook: updates arrive at channels.app, not here")
    gateway = build_gateway(settings)
    try:
        store = payload_store(settings)
    except StoreUnavailable as exc:
        raise SystemExit(f"error: {exc}") from exc
    bridge = TelegramBridge(settings.telegram, gateway, store=store)

    async def _close(_: Application[Any, Any, Any, Any, Any, Any]) -> None:
        await gateway.rasa.aclose()

    bridge.application.post_shutdown = _close
    bridge.application.run_polling(allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    main()
