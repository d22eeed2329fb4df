"""The web app mounts, starts and stops channels it does not know by name (channels.registry)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from channels.app import create_app
from channels.base import Channel, ChannelContext
from channels.errors import ChannelError
from channels.messages import Messages
from channels.registry import CHANNEL_TYPES
from settings.services import Settings
from tests.channels.conftest import make_settings, serve

UNREACHABLE_RASA = "http://127.0.0.1:9"


def _channel_type(
    events: list[str], channel_name: str, *, configured: bool = True, fail_start: bool = False
) -> type[Channel]:
    """A tiny channel: `POST /webhooks/<name>` sends the body's text through the shared gateway."""

    class FakeChannel(Channel):
        name = channel_name

        def __init__(self) -> None:
            self.context: ChannelContext | None = None

        @classmethod
        def from_settings(cls, settings: Settings) -> FakeChannel | None:
            return cls() if configured else None

        def routes(self) -> list[BaseRoute]:
            return [Route(f"/webhooks/{self.name}", self._webhook, methods=["POST"])]

        async def start(self, context: ChannelContext) -> None:
            if fail_start:
                raise ChannelError(f"{self.name} cannot start")
            assert not context.http.is_closed
            self.context = context
            events.append(f"start {self.name}")

        async def stop(self) -> None:
            events.append(f"stop {self.name}")

        async def _webhook(self, request: Request) -> Response:
            assert self.context is not None
            text = (await request.json())["text"]
            replies = await self.context.gateway.handle(self.name, "u1", text)
            return JSONResponse([reply.text for reply in replies])

    return FakeChannel


def test_app_mounts_starts_and_stops_a_registered_channel(tmp_path: Path) -> None:
    events: list[str] = []
    settings = make_settings(tmp_path, UNREACHABLE_RASA)
    fake = _channel_type(events, "fake")
    absent = _channel_type(events, "absent", configured=False)
    app = create_app(settings, channel_types=[*CHANNEL_TYPES, fake, absent])
    assert events == []
    with serve(app) as url:
        assert events == ["start fake"]
        health = httpx.get(url + "/health").json()
        assert health == {"status": "ok", "channels": ["web", "fake"]}
        # the shared gateway answers politely when Rasa is down
        reply = httpx.post(url + "/webhooks/fake", json={"text": "xin chào"}, timeout=30)
        assert reply.status_code == 200
        assert reply.json() == [
            Messages.load(settings.paths.messages_dir / "channels.yml").unavailable
        ]
        assert httpx.post(url + "/webhooks/absent", json={"text": "x"}).status_code == 404
    assert events == ["start fake", "stop fake"]


async def test_channels_started_before_a_failing_start_are_stopped(tmp_path: Path) -> None:
    events: list[str] = []
    channel_types = [
        _channel_type(events, "first"),
        _channel_type(events, "second"),
        _channel_type(events, "broken", fail_start=True),
    ]
    app = create_app(make_settings(tmp_path, UNREACHABLE_RASA), channel_types=channel_types)
    with pytest.raises(ChannelError, match="broken cannot start"):
        async with app.router.lifespan_context(app):
            pass
    assert events == ["start first", "start second", "stop second", "stop first"]
