"""Calendar periods (day, week, month, quarter, half, nine months, year, year-to-date)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ioc.errors import PeriodError

__all__ = [
    "GRAINS",
    "GRAIN_DAYS",
    "KINDS",
    "Period",
    "bucket",
    "buckets",
    "coarser_or_equal",
    "day",
    "decode_period",
    "encode_period",
    "first_half",
    "first_months",
    "month",
    "nine_months",
    "quarter",
    "week",
    "year",
    "year_to_date",
]

# nominal length of one period of each grain (staleness and "finer than" checks)
GRAIN_DAYS = {"day": 1, "week": 7, "month": 31, "quarter": 92, "year": 366}
GRAINS = ("day", "week", "month", "quarter", "year")  # finest first
KINDS = (
    "day",
    "week",
    "month",
    "quarter",
    "half",
    "nine_months",
    "first_months",
    "year",
    "ytd",
)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # day | week | month | quarter | half | nine_months | first_months | year | ytd

    def as_slot(self) -> dict[str, str]:
        """Period as the turn-contract slot value."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def year_earlier(self) -> Period:
        """The same period one year earlier (29/02 → 28/02; days and weeks: 364 days earlier)."""
        if self.kind in ("week", "day"):  # 52 weeks earlier: same weekdays
            return Period(
                self.start - timedelta(days=364), self.end - timedelta(days=364), self.kind
            )
        return Period(_minus_year(self.start), _minus_year(self.end, at_end=True), self.kind)


def _minus_year(value: date, *, at_end: bool = False) -> date:
    if value.month == 2 and (value.day == 29 or (at_end and value.day == 28)):
        return date(value.year - 1, 2, calendar.monthrange(value.year - 1, 2)[1])
    return value.replace(year=value.year - 1)


def day(value: date) -> Period:
    return Period(value, value, "day")


def week(value: date) -> Period:
    """Monday-Sunday week containing ``value``."""
    start = value - timedelta(days=value.weekday())
    return Period(start, start + timedelta(days=6), "week")


def month(year_: int, month_: int) -> Period:
    if not 1 <= month_ <= 12:
        raise PeriodError(f"month {month_} is not between 1 and 12; ask e.g. 'tháng 5/2024'")
    last = calendar.monthrange(year_, month_)[1]
    return Period(date(year_, month_, 1), date(year_, month_, last), "month")


def quarter(year_: int, quarter_: int) -> Period:
    if not 1 <= quarter_ <= 4:
        raise PeriodError(f"quarter {quarter_} is not between 1 and 4; ask e.g. 'quý II/2024'")
    first = month(year_, 3 * quarter_ - 2)
    return Period(first.start, month(year_, 3 * quarter_).end, "quarter")


def first_half(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_, 6, 30), "half")


def first_months(year_: int, months: int) -> Period:
    """The first ``months`` months of the year ("5 tháng đầu năm")."""
    if not 1 <= months <= 12:
        raise PeriodError(f"{months} months is not between 1 and 12")
    return Period(date(year_, 1, 1), month(year_, months).end, "first_months")


def nine_months(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_, 9, 30), "nine_months")


def year(year_: int) -> Period:
    return Period(date(year_, 1, 1), date(year_, 12, 31), "year")


def year_to_date(today: date) -> Period:
    return Period(date(today.year, 1, 1), today, "ytd")


def bucket(grain: str, value: date) -> Period:
    """The period of ``grain`` (day/week/month/quarter/year) containing ``value``."""
    if grain == "day":
        return day(value)
    if grain == "week":
        return week(value)
    if grain == "month":
        return month(value.year, value.month)
    if grain == "quarter":
        return quarter(value.year, (value.month - 1) // 3 + 1)
    if grain == "year":
        return year(value.year)
    raise PeriodError(f"unknown grain {grain!r}; use one of {GRAINS}")


def buckets(grain: str, last_day: date, count: int) -> list[Period]:
    """``count`` consecutive periods of ``grain``, the last one containing ``last_day``."""
    periods = [bucket(grain, last_day)]
    while len(periods) < count:
        periods.append(bucket(grain, periods[-1].start - timedelta(days=1)))
    return periods[::-1]


def encode_period(period: Period) -> str:
    """Compact text form of a period, e.g. ``month:2024-05-01:2024-05-31``."""
    return f"{period.kind}:{period.start.isoformat()}:{period.end.isoformat()}"


def decode_period(text: str) -> Period:
    """Inverse of :func:`encode_period`; raise PeriodError for anything else."""
    try:
        kind, start, end = text.split(":")
        period = Period(date.fromisoformat(start), date.fromisoformat(end), kind)
    except ValueError as exc:
        raise PeriodError(f"period {text!r} must look like 'month:2024-05-01:2024-05-31'") from exc
    if kind not in KINDS or period.end < period.start:
        raise PeriodError(f"period {text!r}: unknown kind or end before start")
    return period


def coarser_or_equal(grain: str, other: str) -> bool:
    """True when ``grain`` is at least as coarse as ``other``."""
    return GRAINS.index(grain) >= GRAINS.index(other)
