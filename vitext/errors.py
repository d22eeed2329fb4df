"""Exceptions raised by :mod:`vitext`."""

from __future__ import annotations

__all__ = ["LexiconError", "VitextError"]


class VitextError(Exception):
    """Base class of every error raised by :mod:`vitext`."""


class LexiconError(VitextError):
    """A lexicon data file is missing or malformed (the message names ``path:line``)."""
