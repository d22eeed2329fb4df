"""Aggregation of observations over time, following the indicator's rule."""

from __future__ import annotations

from collections.abc import Sequence

from ioc.catalog import Indicator
from ioc.errors import NoData
from ioc.model import Aggregate, Observation
from ioc.periods import Period

__all__ = ["aggregate", "aggregate_buckets"]


def aggregate(indicator: Indicator, observations: Sequence[Observation]) -> Aggregate:
    """Combine ``observations`` by the indicator's rule (rates: Σnum/Σden, not a mean of rates)."""
    if not observations:
        raise NoData(f"no observation of {indicator.code!r} to aggregate")
    rows = sorted(observations, key=lambda o: o.period_end)
    numerator = denominator = None
    rule = indicator.aggregation
    if rule == "sum":
        value = sum(o.value for o in rows)
    elif rule == "mean":
        value = sum(o.value for o in rows) / len(rows)
    elif rule == "last":
        value = rows[-1].value
    else:  # rate / growth
        missing = [o for o in rows if o.numerator is None or not o.denominator]
        if missing:
            raise NoData(
                f"{indicator.code!r} at {missing[0].period_start} lacks numerator/denominator; "
                "rates need both to aggregate"
            )
        numerator = sum(o.numerator or 0.0 for o in rows)
        denominator = sum(o.denominator or 0.0 for o in rows)
        ratio = numerator / denominator
        value = (ratio - 1.0) * 100.0 if rule == "growth" else ratio * 100.0
    return Aggregate(
        value=value,
        numerator=numerator,
        denominator=denominator,
        first_start=rows[0].period_start,
        last_end=rows[-1].period_end,
        as_of=max(o.as_of for o in rows),
        source=rows[-1].source,
        is_demo=any(o.is_demo for o in rows),
        count=len(rows),
    )


def aggregate_buckets(
    indicator: Indicator, observations: Sequence[Observation], periods: Sequence[Period]
) -> list[Aggregate | None]:
    """One aggregate per period (None where the period has no observation)."""
    result: list[Aggregate | None] = []
    for period in periods:
        inside = [
            o for o in observations if o.period_start >= period.start and o.period_end <= period.end
        ]
        result.append(aggregate(indicator, inside) if inside else None)
    return result
