"""Which period an indicator answer covers: the one asked, a coarser one, or the latest.

An indicator published monthly cannot answer "hôm nay"; a question about a period with no
figure yet falls back to the period of the indicator's own grain that has one, and the answer
says so. Everything here is decided from the latest observation and one observation window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from ioc import periods as P
from ioc.catalog import Indicator
from ioc.model import Observation
from ioc.window import ObservationWindow

__all__ = ["Resolution", "candidate_periods", "resolve_period"]

Note = Literal["latest", "coarse"]


@dataclass(frozen=True)
class Resolution:
    """The period answered, why it differs from the question, and its observations."""

    requested: P.Period | None
    period: P.Period
    note: Note | None  # latest: no period asked; coarse: the asked one had no figure
    rows: tuple[Observation, ...]  # observations inside ``period`` (empty: no data)


def _may_fall_back(ind: Indicator, requested: P.Period, latest_end: date, today: date) -> bool:
    # finer than the indicator's grain, still running, or after the last figure
    return (
        requested.days < P.GRAIN_DAYS[ind.periodicity]
        or requested.end >= today
        or requested.start > latest_end
    )


def candidate_periods(
    ind: Indicator, requested: P.Period | None, latest_end: date, today: date
) -> tuple[P.Period, ...]:
    """Every period :func:`resolve_period` may choose, known before any observation is read."""
    latest = P.bucket(ind.periodicity, latest_end)
    if requested is None or requested.start > latest_end:  # nothing published inside it
        return (latest,)
    if not _may_fall_back(ind, requested, latest_end, today):
        return (requested,)
    return requested, P.bucket(ind.periodicity, min(requested.end, latest_end)), latest


def resolve_period(
    ind: Indicator,
    requested: P.Period | None,
    latest_end: date,
    today: date,
    window: ObservationWindow,
) -> Resolution:
    """The period to answer; ``window`` must cover :func:`candidate_periods`."""
    if requested is None:
        period = P.bucket(ind.periodicity, latest_end)
        return Resolution(None, period, "latest", tuple(window.of(period)))
    rows = window.of(requested) if requested.start <= latest_end else []
    if rows or not _may_fall_back(ind, requested, latest_end, today):
        return Resolution(requested, requested, None, tuple(rows))
    period = P.bucket(ind.periodicity, min(requested.end, latest_end))
    rows = window.of(period)
    if not rows:
        period = P.bucket(ind.periodicity, latest_end)
        rows = window.of(period)
    return Resolution(requested, period, "coarse", tuple(rows))
