"""Exceptions of the action server (one base class, specific subclasses)."""

from __future__ import annotations

__all__ = ["ActionsError", "MessagesError", "WarmUpError"]


class ActionsError(Exception):
    """Base class of every error raised by :mod:`actions`."""


class MessagesError(ActionsError):
    """A messages file is unreadable or lacks a usable template; the message has path:line."""


class WarmUpError(ActionsError):
    """A process-wide service could not be loaded at start-up; the message names it and why."""
