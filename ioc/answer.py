"""Vietnamese formatting of indicator answers (numbers 1.234,5; periods; templates)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ioc.catalog import Indicator
from ioc.datafile import LINE_KEY, load_yaml
from ioc.errors import DataFileError
from ioc.periods import Period

__all__ = ["Messages", "format_number", "format_value", "load_messages"]

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_REQUIRED = (
    "answer",
    "change_up",
    "change_down",
    "change_flat",
    "points",
    "plan_sum",
    "plan_level_met",
    "plan_level_unmet",
    "source",
    "demo",
    "stale",
    "partial",
    "partial_day",
    "latest_note",
    "coarse_note",
    "ambiguous",
    "unknown",
    "bad_period",
    "no_data",
    "staff_only",
    "unavailable",
    "chart_title",
    "chart_current",
    "chart_previous",
    "chart_demo",
)


def format_number(value: float, decimals: int = 0) -> str:
    """Vietnamese number format: ``.`` groups thousands, ``,`` is the decimal mark."""
    text = f"{abs(value):,.{decimals}f}".replace(",", "\0").replace(".", ",").replace("\0", ".")
    return f"-{text}" if value < 0 and text.strip("0.,") else text


def format_value(value: float, indicator: Indicator) -> str:
    """Value with its unit: ``97,72%``, ``14.100.000 lượt khách``."""
    number = format_number(value, indicator.decimals)
    return f"{number}%" if indicator.unit == "%" else f"{number} {indicator.unit}"


@dataclass(frozen=True)
class Messages:
    templates: Mapping[str, str]
    period_labels: Mapping[str, str]
    chart_ticks: Mapping[str, str]
    periodicity_names: Mapping[str, str]

    def get(self, key: str, **values: Any) -> str:
        return self.templates[key].format(**values)

    def period(self, period: Period) -> str:
        """Vietnamese label of a period: ``tháng 5/2024``, ``quý II/2024``…"""
        return self.period_labels[period.kind].format(**_period_fields(period))

    def tick(self, grain: str, period: Period) -> str:
        return self.chart_ticks[grain].format(**_period_fields(period))


def _period_fields(period: Period) -> dict[str, Any]:
    quarter = (period.start.month - 1) // 3 + 1
    return {
        "start": period.start,
        "end": period.end,
        "month": period.start.month,
        "year": period.start.year,
        "year_short": f"{period.start.year % 100:02d}",
        "quarter": quarter,
        "months": period.end.month,
        "quarter_roman": _ROMAN[quarter],
    }


def load_messages(path: Path) -> Messages:
    """Load data/messages/indicators.yml; every template key must be present."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(f"{path}:1: expected a mapping of template name → text")
    missing = [key for key in _REQUIRED if not isinstance(data.get(key), str)]
    if missing:
        raise DataFileError(f"{path}:1: missing templates {missing}; add them")

    def section(name: str) -> dict[str, str]:
        raw = data.get(name)
        if not isinstance(raw, dict):
            raise DataFileError(f"{path}:1: '{name}' must be a mapping")
        return {k: v for k, v in raw.items() if k != LINE_KEY}

    return Messages(
        templates={k: v for k, v in data.items() if isinstance(v, str)},
        period_labels=section("period_labels"),
        chart_ticks=section("chart_ticks"),
        periodicity_names=section("periodicity_names"),
    )
