"""Errors of the shared stores (one clear message naming what and where)."""

from __future__ import annotations

__all__ = ["StoreUnavailable"]


class StoreUnavailable(RuntimeError):
    """A configured store cannot be reached; the message names the store and its address."""
