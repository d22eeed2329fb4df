"""The web widget channel: the demo page, the widget files and its texts.

The widget talks to Rasa's socket.io directly, so this channel serves files, its limits are
enforced in the browser, and the one thing it receives is a 👍/👎 vote (``POST /feedback``,
stored with its turn by :mod:`inbox.feedback`).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import yaml
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from channels.base import Channel
from channels.errors import MessagesError
from channels.ratelimit import RateLimiter
from inbox.feedback import parse_vote, record_vote
from inbox.store import open_engine
from settings.defaults import REPO_ROOT
from settings.services import Settings, WebSettings
from stores import StoreUnavailable
from vitext import nfc

__all__ = ["SOCKET_IO_JS", "STATIC_DIR", "WebChannel"]

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
SOCKET_IO_JS = REPO_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
_NO_CACHE = {"Cache-Control": "no-cache"}
_CORS = {"Access-Control-Allow-Origin": "*"}  # the widget is embedded on other sites
_MAX_VOTE_BYTES = 2048


class WebChannel(Channel):
    """Serves `/` (demo page), `/widget.js`, `/widget.css`, its texts and the socket.io client."""

    name = "web"

    def __init__(
        self, web: WebSettings, widget_messages: dict[str, str], *, db_url: str | None = None
    ) -> None:
        self._web = web
        self._widget_messages = widget_messages
        self._db_url = db_url
        self._vote_limiter = RateLimiter(web.rate_limit_per_min)

    @classmethod
    def from_settings(cls, settings: Settings) -> WebChannel:
        """Always configured: read the widget texts from `<messages dir>/widget.yml`."""
        return cls(
            settings.web,
            _load_widget_messages(settings.paths.messages_dir / "widget.yml"),
            db_url=settings.stores.db_url,
        )

    def routes(self) -> list[BaseRoute]:
        """The demo page, the widget files and the vendored socket.io client."""
        return [
            Route("/", self._index),
            Route("/widget.js", _static("widget.js", "text/javascript")),
            Route("/widget.css", _static("widget.css", "text/css")),
            Route("/widget-messages.json", self._widget_texts),
            Route("/vendor/socket.io.min.js", _socket_io),
            Route("/feedback", self._feedback, methods=["POST"]),
        ]

    async def _feedback(self, request: Request) -> Response:
        """A 👍/👎 from the widget: ``{"payload": "/feedback{…}"}`` (sent as text/plain: no
        CORS preflight). Deliberately public, like the chat; rate-limited per client address."""
        client = request.client.host if request.client else "?"
        if not self._vote_limiter.allow(client):
            return JSONResponse({"error": "too many votes; wait a minute"}, 429, headers=_CORS)
        body = await request.body()
        vote = None
        if len(body) <= _MAX_VOTE_BYTES:
            try:
                vote = parse_vote(json.loads(body).get("payload"))
            except (ValueError, AttributeError, RecursionError):
                vote = None
        if vote is None:
            return JSONResponse(
                {"error": 'expected {"payload": "/feedback{…}"} from a feedback button'},
                400,
                headers=_CORS,
            )
        if self._db_url is None:
            return JSONResponse({"error": "feedback is not stored here"}, 404, headers=_CORS)
        db_url = self._db_url
        try:
            stored = await asyncio.to_thread(lambda: record_vote(open_engine(db_url), vote))
        except StoreUnavailable as exc:
            logger.warning("feedback not stored: %s", exc)
            return JSONResponse({"error": "feedback store unavailable"}, 503, headers=_CORS)
        if not stored:
            return JSONResponse({"error": "this answer is too old to rate"}, 400, headers=_CORS)
        return JSONResponse({"ok": True}, headers=_CORS)

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
