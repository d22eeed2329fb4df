"""The ``Source`` protocol every IOC data source implements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from ioc.model import Observation

__all__ = ["Source"]


class Source(Protocol):
    """Read-only access to observations (SQLite/PostgreSQL store or a real IOC REST API)."""

    def observations(
        self, indicator: str, area: str, start: date, end: date, *, as_of_before: datetime
    ) -> list[Observation]:
        """Observations whose period lies inside [start, end], published before ``as_of_before``."""
        ...

    def latest(self, indicator: str, area: str, *, as_of_before: datetime) -> Observation | None:
        """The observation with the latest period end published before ``as_of_before``."""
        ...
