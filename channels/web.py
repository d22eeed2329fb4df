"""The web widget channel: the demo page, the widget files and its texts.

The widget talks to Rasa's socket.io directly, so this channel only serves files; its limits are
enforced in the browser.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from channels.base import Channel
from channels.errors import MessagesError
from settings.defaults import REPO_ROOT
from settings.services import Settings, WebSettings
from vitext import nfc

__all__ = ["SOCKET_IO_JS", "STATIC_DIR", "WebChannel"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_JS = REPO_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
_NO_CACHE = {"Cache-Control": "no-cache"}


class WebChannel(Channel):
    """Serves `/` (demo page), `/widget.js`, `/widget.css`, its texts and the socket.io client."""

    name = "web"

    def __init__(self, web: WebSettings, widget_messages: dict[str, str]) -> None:
        self._web = web
        self._widget_messages = widget_messages

    @classmethod
    def from_settings(cls, settings: Settings) -> WebChannel:
        """Always configured: read the widget texts from `<messages dir>/widget.yml`."""
        return cls(settings.web, _load_widget_messages(settings.paths.messages_dir / "widget.yml"))

    def routes(self) -> list[BaseRoute]:
        """The demo page, the widget files and the vendored socket.io client."""
        return [
            Route("/", self._index),
            Route("/widget.js", _static("widget.js", "text/javascript")),
            Route("/widget.css", _static("widget.css", "text/css")),
            Route("/widget-messages.json", self._widget_texts),
            Route("/vendor/socket.io.min.js", _socket_io),
        ]

    async def _index(self, _: Request) -> Response:
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        page = page.replace("{{SOCKET_URL}}", html.escape(self._web.socket_url, quote=True))
        page = page.replace("{{MAX_CHARS}}", str(self._web.max_message_chars))
        page = page.replace("{{RATE_PER_MIN}}", str(self._web.rate_limit_per_min))
        return HTMLResponse(page, headers=_NO_CACHE)

    async def _widget_texts(self, _: Request) -> Response:
        return JSONResponse(self._widget_messages, headers={"Access-Control-Allow-Origin": "*"})


def _load_widget_messages(path: Path) -> dict[str, str]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MessagesError(f"{path}: cannot read the widget texts: {exc}") from exc
    if not isinstance(raw, dict):
        raise MessagesError(f"{path}:1: expected a mapping of message keys to texts")
    return {str(key): nfc(str(value)) for key, value in raw.items()}


def _static(name: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(_: Request) -> Response:
        return FileResponse(STATIC_DIR / name, media_type=media_type, headers=_NO_CACHE)

    return endpoint


async def _socket_io(_: Request) -> Response:
    if not SOCKET_IO_JS.is_file():
        logger.error("%s is missing; run `npm ci` in the repository root", SOCKET_IO_JS)
        return JSONResponse({"error": "socket.io client not installed; run npm ci"}, 404)
    return FileResponse(SOCKET_IO_JS, media_type="text/javascript")
