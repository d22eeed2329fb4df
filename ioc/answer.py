"""Vietnamese formatting of indicator answers (numbers 1.234,5; periods; templates)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ioc import periods as P
from ioc.catalog import Indicator
from ioc.datafile import key_lines, load_yaml, template_problem
from ioc.errors import DataFileError
from ioc.periods import Period

__all__ = ["Messages", "format_number", "format_value", "load_messages"]

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
# every template the code uses → the placeholders it fills (ioc/service.py, ioc/compose.py)
_TEMPLATES: dict[str, tuple[str, ...]] = {
    "answer": ("name", "period", "area", "value"),
    "change_up": ("change",),
    "change_down": ("change",),
    "change_flat": (),
    "points": (),
    "plan_sum": ("last_end", "ytd", "percent", "year", "target"),
    "plan_level_met": ("year", "target"),
    "plan_level_unmet": ("year", "target"),
    "source": ("agency", "as_of"),
    "demo": (),
    "stale": ("last_end", "agency", "periodicity"),
    "partial": ("last_end",),
    "partial_day": ("as_of",),
    "latest_note": ("period",),
    "coarse_note": ("requested", "period", "periodicity"),
    "ambiguous": (),
    "unknown": (),
    "unknown_in_sector": ("names",),
    "bad_period": (),
    "no_data": ("name", "period", "area"),
    "staff_only": ("name",),
    "unavailable": (),
    "stale_source": ("fetched_at",),
    "chart_title": ("name", "area"),
    "chart_current": (),
    "chart_previous": (),
    "chart_demo": (),
}
# a value of the type the code passes for each placeholder: templates are tried with them
_SAMPLES: dict[str, Any] = {
    "name": "Lượt khách du lịch",
    "names": "Lượt khách du lịch; Doanh thu du lịch",
    "period": "tháng 5/2024",
    "requested": "ngày 15/06/2024",
    "area": "Huyện Côn Đảo",
    "value": "1.234 lượt khách",
    "change": "1,5%",
    "ytd": "5.678 lượt khách",
    "percent": "50,0",
    "target": "14.000.000 lượt khách",
    "year": 2024,
    "last_end": date(2024, 5, 31),
    "as_of": datetime(2024, 6, 5, 8, 0),
    "fetched_at": datetime(2024, 6, 15, 9, 30),
    "agency": "Sở Du lịch",
    "periodicity": "tháng",
}
_MISSING = object()
_SAMPLE_PERIODS = {
    "day": P.day(date(2024, 6, 14)),
    "week": P.week(date(2024, 6, 14)),
    "month": P.month(2024, 5),
    "quarter": P.quarter(2024, 2),
    "half": P.first_half(2024),
    "nine_months": P.nine_months(2024),
    "first_months": P.first_months(2024, 5),
    "year": P.year(2024),
    "ytd": P.year_to_date(date(2024, 6, 15)),
}


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
        """Template ``key`` filled with ``values``."""
        return self.templates[key].format(**values)

    def period(self, period: Period) -> str:
        """Vietnamese label of a period: ``tháng 5/2024``, ``quý II/2024``…"""
        return self.period_labels[period.kind].format(**_period_fields(period))

    def tick(self, grain: str, period: Period) -> str:
        """Chart tick label of ``period`` in a chart of ``grain`` buckets."""
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
    """Load data/messages/indicators.yml; every template the code uses must be fillable."""
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(f"{path}:1: expected a mapping of template name → text")
    lines = key_lines(path)
    problems: list[str] = []

    def check(
        where: tuple[str, ...], text: Any, values: Mapping[str, Any], required: Collection[str]
    ) -> None:
        line = lines.get(where, lines.get(where[:1], 1))
        name = ".".join(where)
        if text is _MISSING:
            uses = "".join(f" {{{value}}}" for value in required)
            problems.append(
                f"{path}:{line}: missing template '{name}'; add it{uses and ' with' + uses}"
            )
        elif problem := template_problem(text, values, required):
            problems.append(f"{path}:{line}: template '{name}' {problem}")

    for key, required in _TEMPLATES.items():
        check((key,), data.get(key, _MISSING), {k: _SAMPLES[k] for k in required}, required)
    sections: dict[str, dict[str, str]] = {}
    for section, keys in (
        ("period_labels", P.KINDS),
        ("chart_ticks", P.GRAINS),
        ("periodicity_names", P.GRAINS),
    ):
        raw = data.get(section)
        if not isinstance(raw, dict):
            line = lines.get((section,), 1)
            problems.append(f"{path}:{line}: '{section}' must map {', '.join(keys)} to texts")
            continue
        for key in keys:
            fields = {} if section == "periodicity_names" else _period_fields(_SAMPLE_PERIODS[key])
            check((section, key), raw.get(key, _MISSING), fields, ())
        sections[section] = {k: raw.get(k, "") for k in keys}
    if problems:
        raise DataFileError("\n".join(problems))
    return Messages(
        templates={key: data[key] for key in _TEMPLATES},
        period_labels=sections["period_labels"],
        chart_ticks=sections["chart_ticks"],
        periodicity_names=sections["periodicity_names"],
    )
