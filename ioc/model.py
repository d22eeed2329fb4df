"""Observation and aggregate value types shared by every source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict

__all__ = ["Aggregate", "Observation", "ObservationJson"]


class ObservationJson(TypedDict):
    indicator: str
    area: str
    period_start: str
    period_end: str
    value: float
    numerator: float | None
    denominator: float | None
    as_of: str
    source: str
    is_demo: bool


@dataclass(frozen=True)
class Observation:
    indicator: str
    area: str
    period_start: date
    period_end: date
    value: float
    numerator: float | None
    denominator: float | None
    as_of: datetime  # when the figure was published / last updated (naive local time)
    source: str
    is_demo: bool

    def to_json(self) -> ObservationJson:
        return {
            "indicator": self.indicator,
            "area": self.area,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "as_of": self.as_of.isoformat(timespec="seconds"),
            "source": self.source,
            "is_demo": self.is_demo,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Observation:
        """Build from the JSON contract of docs/ioc-api.md (raises KeyError/ValueError)."""
        return cls(
            indicator=str(data["indicator"]),
            area=str(data["area"]),
            period_start=date.fromisoformat(data["period_start"]),
            period_end=date.fromisoformat(data["period_end"]),
            value=float(data["value"]),
            numerator=None if data.get("numerator") is None else float(data["numerator"]),
            denominator=None if data.get("denominator") is None else float(data["denominator"]),
            as_of=datetime.fromisoformat(data["as_of"]),
            source=str(data.get("source", "")),
            is_demo=bool(data.get("is_demo", False)),
        )


@dataclass(frozen=True)
class Aggregate:
    value: float
    numerator: float | None
    denominator: float | None
    first_start: date
    last_end: date
    as_of: datetime
    source: str
    is_demo: bool
    count: int  # observations aggregated
