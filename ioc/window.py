"""One observation window per indicator turn: fetched from the source once, sliced in memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ioc.errors import WindowError
from ioc.model import Observation
from ioc.periods import Period
from ioc.source import Source

__all__ = ["ObservationWindow"]


@dataclass(frozen=True)
class ObservationWindow:
    """Every observation of one indicator and area whose period lies inside [start, end]."""

    start: date
    end: date
    rows: tuple[Observation, ...]  # ordered by period start, as the source returns them

    @classmethod
    def fetch(
        cls,
        source: Source,
        indicator: str,
        area: str,
        start: date,
        end: date,
        *,
        as_of_before: datetime,
    ) -> ObservationWindow:
        """Read the window with one ``observations`` call."""
        rows = source.observations(indicator, area, start, end, as_of_before=as_of_before)
        return cls(start, end, tuple(rows))

    def inside(self, start: date, end: date) -> list[Observation]:
        """What ``Source.observations(start, end)`` would return, read from the window."""
        if start < self.start or end > self.end:
            raise WindowError(
                f"{start}..{end} is outside the window {self.start}..{self.end} fetched for "
                "this turn; widen ioc.compose.reading_span"
            )
        return [o for o in self.rows if o.period_start >= start and o.period_end <= end]

    def of(self, period: Period) -> list[Observation]:
        """Observations inside ``period``."""
        return self.inside(period.start, period.end)
