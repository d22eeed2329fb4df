"""The contract every channel implements; the web app only mounts, starts and stops channels."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar, Self

import httpx
from starlette.routing import BaseRoute

from channels.gateway import Gateway
from settings.services import Settings

__all__ = ["Channel", "ChannelContext"]


@dataclass(frozen=True)
class ChannelContext:
    """What the web app shares with every channel while it runs."""

    settings: Settings
    gateway: Gateway  # NFC, length and rate limits, the Rasa call
    http: httpx.AsyncClient  # the process's one client


class Channel(abc.ABC):
    """One chat platform in the web app: its routes and its start/stop hooks.

    A channel checks and parses its own input (secret tokens, signatures, body shape) and answers
    bad input with a 4xx, never a 5xx. Routes exist from `create_app` on, so a handler must rely
    on state set in `start` only after the app's lifespan has run it.
    """

    name: ClassVar[str]  # shown in /health

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: Settings) -> Self | None:
        """The channel when the deployment configured it, else None."""

    @abc.abstractmethod
    def routes(self) -> list[BaseRoute]:
        """Its webhooks and pages, mounted on the web app."""

    async def start(self, context: ChannelContext) -> None:  # noqa: B027 (optional hook)
        """Called once from the web app's lifespan before it serves requests."""

    async def stop(self) -> None:  # noqa: B027 (optional hook)
        """Called once from the web app's lifespan at shut-down (reverse start order)."""
