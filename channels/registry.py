"""The channels the web app knows, in `/health` order; a new channel is one more entry here."""

from __future__ import annotations

from collections.abc import Iterable

from admin.site import AdminSite
from channels.base import Channel
from channels.telegram import TelegramChannel
from channels.web import WebChannel
from channels.zalo import ZaloChannel
from settings.services import Settings

__all__ = ["CHANNEL_TYPES", "configured_channels"]

# AdminSite is no chat platform, but the editors' /admin page is mounted, started and stopped alike
CHANNEL_TYPES: tuple[type[Channel], ...] = (WebChannel, TelegramChannel, ZaloChannel, AdminSite)


def configured_channels(
    settings: Settings, channel_types: Iterable[type[Channel]] = CHANNEL_TYPES
) -> list[Channel]:
    """The channels this deployment configured, in registry order."""
    found = (channel_type.from_settings(settings) for channel_type in channel_types)
    return [channel for channel in found if channel is not None]
