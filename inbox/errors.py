"""Errors of the inbox (bad decisions, clusters that changed meanwhile)."""

from __future__ import annotations

__all__ = ["InboxError", "UnknownCluster"]


class InboxError(ValueError):
    """A decision the inbox cannot record; the message says why and what to do."""


class UnknownCluster(InboxError):
    """The cluster key matches no open cluster (decided meanwhile, or its questions changed)."""
