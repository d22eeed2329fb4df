"""Services web app (Starlette): every configured channel's routes, charts and health.

Run with `python -m channels.app` (binds ASSISTANT_WEB_HOST:ASSISTANT_WEB_PORT). The app knows
no channel by name: it mounts, starts and stops what `channels.registry` lists.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from channels.base import Channel, ChannelContext
from channels.gateway import build_gateway
from channels.headers import SecurityHeaders
from channels.registry import CHANNEL_TYPES, configured_channels
from ioc.charturl import STAFF_PREFIX, ChartSigner
from settings.services import Settings, SettingsError, get_settings
from vitext import install_log_redaction

__all__ = ["create_app", "main"]

logger = logging.getLogger(__name__)


def _private(name: str) -> dict[str, str]:
    """Staff charts are never kept by shared caches."""
    return {"Cache-Control": "private, no-store"} if name.startswith(STAFF_PREFIX) else {}


_CHART_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.png$")


def create_app(
    settings: Settings, *, channel_types: Iterable[type[Channel]] = CHANNEL_TYPES
) -> Starlette:
    """Build the app: `/health`, `/charts/{name}` and the routes of every configured channel."""
    channels = configured_channels(settings, channel_types)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.web.rasa_timeout_s, connect=5.0)
        async with httpx.AsyncClient(timeout=timeout) as http, contextlib.AsyncExitStack() as stack:
            context = ChannelContext(settings, build_gateway(settings, http=http), http)
            for channel in channels:
                await channel.start(context)
                stack.push_async_callback(channel.stop)  # stopped in reverse order, even on error
            yield

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "channels": [channel.name for channel in channels]})

    routes: list[BaseRoute] = [
        Route("/health", health),
        Route(
            "/charts/{name:path}",
            _chart_endpoint(
                settings.paths.charts_dir,
                ChartSigner(settings.ioc.chart_url_secret, settings.ioc.chart_url_ttl_s),
            ),
        ),
    ]
    for channel in channels:
        routes.extend(channel.routes())
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(SecurityHeaders, web=settings.web)],
    )


def _chart_endpoint(
    charts_dir: Path, signer: ChartSigner
) -> Callable[[Request], Awaitable[Response]]:
    async def chart(request: Request) -> Response:
        name = request.path_params["name"]
        root = charts_dir.resolve()
        path = (root / name).resolve()
        if not _CHART_NAME.match(name) or path.parent != root or not path.is_file():
            return JSONResponse({"error": "chart not found"}, 404)
        if not signer.allows(name, request.query_params):  # staff charts: signed, unexpired
            return JSONResponse({"error": "chart link expired or not signed"}, 403)
        return FileResponse(path, media_type="image/png", headers=_private(name))

    return chart


def main() -> None:
    """`python -m channels.app`."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    install_log_redaction()
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
