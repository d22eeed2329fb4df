"""Services web app (Starlette): widget, charts, Telegram/Zalo webhooks, health.

Run with `python -m channels.app` (binds ASSISTANT_WEB_HOST:ASSISTANT_WEB_PORT).
"""

from __future__ import annotations

import contextlib
import hmac
import html
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from channels.gateway import build_gateway
from channels.telegram import TelegramBridge
from channels.zalo import ZaloBridge, ZaloClient, verify_signature
from channels.zalo_store import TokenStore, ZaloOutbox
from settings.defaults import REPO_ROOT
from settings.services import Settings, SettingsError, get_settings
from vitext import nfc

__all__ = ["create_app", "main"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_JS = REPO_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
_CHART_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.png$")
_NO_CACHE = {"Cache-Control": "no-cache"}


def _widget_messages(path: Path) -> dict[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(key): nfc(str(value)) for key, value in raw.items()}


def create_app(settings: Settings) -> Starlette:
    """Build the app; Telegram webhook and Zalo routes exist only when configured."""
    state: dict[str, Any] = {}
    web = settings.web
    widget_messages = _widget_messages(settings.paths.messages_dir / "widget.yml")

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(web.rasa_timeout_s, connect=5.0)
        ) as http:
            gateway = build_gateway(settings, http=http)
            if settings.telegram.enabled and settings.telegram.mode == "webhook":
                bridge = TelegramBridge(settings.telegram, gateway, polling=False)
                await bridge.application.initialize()
                await bridge.application.start()
                if settings.telegram.webhook_url:
                    await bridge.set_webhook()
                state["telegram"] = bridge
            if settings.zalo.enabled:
                tokens = TokenStore(
                    settings.paths.var_dir / "zalo_tokens.json",
                    access_token=settings.zalo.access_token,
                    refresh_token=settings.zalo.refresh_token,
                )
                outbox = ZaloOutbox(
                    settings.paths.var_dir / "zalo_outbox.sqlite3",
                    window_s=settings.zalo.reply_window_s,
                    max_replies=settings.zalo.max_replies,
                )
                state["zalo"] = ZaloBridge(gateway, ZaloClient(settings.zalo, tokens, http), outbox)
            try:
                yield
            finally:
                if "telegram" in state:
                    await state["telegram"].application.stop()
                    await state["telegram"].application.shutdown()
                if "zalo" in state:
                    state["zalo"].outbox.close()
                state.clear()

    async def index(_: Request) -> Response:
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        page = page.replace("{{SOCKET_URL}}", html.escape(web.socket_url, quote=True))
        page = page.replace("{{MAX_CHARS}}", str(web.max_message_chars))
        page = page.replace("{{RATE_PER_MIN}}", str(web.rate_limit_per_min))
        return HTMLResponse(page, headers=_NO_CACHE)

    def static(name: str, media_type: str) -> Any:
        async def endpoint(_: Request) -> Response:
            return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_NO_CACHE)

        return endpoint

    async def socket_io(_: Request) -> Response:
        if not SOCKET_IO_JS.is_file():
            logger.error("%s is missing; run `npm ci` in the repository root", SOCKET_IO_JS)
            return JSONResponse({"error": "socket.io client not installed; run npm ci"}, 404)
        return FileResponse(SOCKET_IO_JS, media_type="text/javascript")

    async def widget_texts(_: Request) -> Response:
        return JSONResponse(widget_messages, headers={"Access-Control-Allow-Origin": "*"})

    async def chart(request: Request) -> Response:
        name = request.path_params["name"]
        root = settings.paths.charts_dir.resolve()
        path = (root / name).resolve()
        if not _CHART_NAME.match(name) or path.parent != root or not path.is_file():
            return JSONResponse({"error": "chart not found"}, 404)
        return FileResponse(path, media_type="image/png")

    async def health(_: Request) -> Response:
        channels = ["web"] + [name for name in ("telegram", "zalo") if name in state]
        return JSONResponse({"status": "ok", "channels": channels})

    async def telegram_webhook(request: Request) -> Response:
        bridge: TelegramBridge | None = state.get("telegram")
        if bridge is None:
            return JSONResponse({"error": "telegram webhook not configured"}, 404)
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given.encode(), bridge.settings.webhook_secret.encode()):
            return JSONResponse({"error": "bad secret token"}, 403)
        try:
            data = json.loads(await request.body())
        except ValueError:
            return JSONResponse({"error": "body is not JSON"}, 400)
        if not isinstance(data, dict) or "update_id" not in data:
            return JSONResponse({"error": "not a Telegram update"}, 400)
        await bridge.enqueue(data)
        return JSONResponse({"ok": True})

    async def zalo_webhook(request: Request) -> Response:
        bridge: ZaloBridge | None = state.get("zalo")
        if bridge is None or not settings.zalo.enabled:
            return JSONResponse({"error": "zalo webhook not configured"}, 404)
        raw = await request.body()
        if not verify_signature(settings.zalo, raw, request.headers.get("x-zevent-signature")):
            logger.warning("zalo: webhook call with a bad signature rejected")
            return JSONResponse({"error": "bad signature"}, 401)
        event = json.loads(raw)  # verify_signature parsed it already
        if not isinstance(event, dict):
            return JSONResponse({"error": "event is not an object"}, 400)
        # Zalo wants 200 within 2 s: the turn runs after the response is sent
        return JSONResponse({"ok": True}, background=BackgroundTask(_run_zalo, bridge, event))

    routes = [
        Route("/", index),
        Route("/widget.js", static("widget.js", "text/javascript")),
        Route("/widget.css", static("widget.css", "text/css")),
        Route("/widget-messages.json", widget_texts),
        Route("/vendor/socket.io.min.js", socket_io),
        Route("/charts/{name:path}", chart),
        Route("/health", health),
        Route("/webhooks/telegram", telegram_webhook, methods=["POST"]),
        Route("/webhooks/zalo", zalo_webhook, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _run_zalo(bridge: ZaloBridge, event: dict[str, Any]) -> None:
    try:
        await bridge.handle_event(event)
    except Exception:  # a background task has nobody to report to: log it with the trace
        logger.exception("zalo: event %s failed", event.get("event_name"))


def main() -> None:
    """`python -m channels.app`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines contain the bot token
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise SystemExit(f"error: {exc}") from exc
    uvicorn.run(
        create_app(settings), host=settings.web.host, port=settings.web.port, log_level="info"
    )


if __name__ == "__main__":
    main()
