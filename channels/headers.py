"""Security headers on every response of the web app (pure ASGI: streaming and background
tasks untouched)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from settings.services import WebSettings

__all__ = ["SecurityHeaders", "content_security_policy"]

_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")  # host[:port]; anything else is left out of the CSP


def content_security_policy(web: WebSettings) -> str:
    """The demo page loads only its own files and talks only to the Rasa socket.io URL."""
    socket = urlsplit(web.socket_url)
    connect = ["'self'"]
    if socket.scheme in ("http", "https") and _HOST.match(socket.netloc):
        ws_scheme = "wss" if socket.scheme == "https" else "ws"
        connect += [f"{socket.scheme}://{socket.netloc}", f"{ws_scheme}://{socket.netloc}"]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",  # the demo page's own <style>
            "img-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {web.frame_ancestors}",
        ]
    )


class SecurityHeaders:
    """Adds CSP, nosniff and a strict referrer policy unless a route set its own."""

    def __init__(self, app: ASGIApp, web: WebSettings) -> None:
        self.app = app
        self._headers = {
            "Content-Security-Policy": content_security_policy(web),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
