"""Exceptions of the channels package (one base, specific subclasses)."""

from __future__ import annotations

__all__ = [
    "ChannelError",
    "MessagesError",
    "RasaUnavailable",
    "TelegramApiError",
    "TelegramUpdateError",
    "ZaloApiError",
    "ZaloTokenError",
]


class ChannelError(Exception):
    """Base class of every error raised by `channels`."""


class MessagesError(ChannelError):
    """`data/messages/channels.yml` is missing a key or malformed."""


class RasaUnavailable(ChannelError):
    """The Rasa REST webhook did not answer or answered garbage."""


class TelegramApiError(ChannelError):
    """The Bot API refused or did not answer a call the channel needs to start."""


class TelegramUpdateError(ChannelError):
    """A webhook body is JSON but not a Telegram update."""


class ZaloApiError(ChannelError):
    """The Zalo OA API answered with an error code."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class ZaloTokenError(ZaloApiError):
    """The Zalo access token could not be refreshed."""
