"""Aggregation over time: sum, mean, last, rate = Σnum/Σden (never a mean of rates), growth."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from ioc import periods as P
from ioc.aggregate import aggregate, aggregate_buckets
from ioc.catalog import Indicator
from ioc.errors import NoData
from ioc.model import Observation

BASE = Indicator(
    code="x",
    name="X",
    aliases=("x",),
    domain="y_te",
    unit="ca",
    periodicity="month",
    aggregation="sum",
    agency="Sở Y tế",
)


def obs(
    month: int, value: float, num: float | None = None, den: float | None = None
) -> Observation:
    period = P.month(2024, month)
    return Observation(
        "x",
        "brvt",
        period.start,
        period.end,
        value,
        num,
        den,
        datetime(2024, month + 1, 5, 8),
        "Sở Y tế",
        True,
    )


def test_rate_over_a_quarter_is_sum_of_numerators_over_sum_of_denominators() -> None:
    rate = replace(BASE, aggregation="rate", unit="%")
    rows = [obs(1, 90.0, 90, 100), obs(2, 50.0, 5, 10), obs(3, 100.0, 890, 890)]
    result = aggregate(rate, rows)
    assert result.value == pytest.approx(985 / 1000 * 100)  # 98.5, not the mean 80.0
    assert (result.numerator, result.denominator) == (985, 1000)


def test_growth_is_ratio_of_sums_minus_one() -> None:
    growth = replace(BASE, aggregation="growth", unit="%")
    result = aggregate(growth, [obs(1, 10.0, 110, 100), obs(2, 0.0, 300, 300)])
    assert result.value == pytest.approx((410 / 400 - 1) * 100)


def test_sum_mean_last() -> None:
    rows = [obs(3, 30.0), obs(1, 10.0), obs(2, 20.0)]
    assert aggregate(BASE, rows).value == 60.0
    assert aggregate(replace(BASE, aggregation="mean"), rows).value == 20.0
    last = aggregate(replace(BASE, aggregation="last"), rows)
    assert (last.value, last.first_start, last.last_end) == (
        30.0,
        date(2024, 1, 1),
        date(2024, 3, 31),
    )


def test_rate_without_denominator_is_refused() -> None:
    with pytest.raises(NoData, match="numerator/denominator"):
        aggregate(replace(BASE, aggregation="rate"), [obs(1, 90.0)])


def test_empty_input_raises_no_data() -> None:
    with pytest.raises(NoData):
        aggregate(BASE, [])


def test_buckets_leave_gaps_empty() -> None:
    quarters = [P.quarter(2024, 1), P.quarter(2024, 2)]
    result = aggregate_buckets(BASE, [obs(1, 1.0), obs(2, 2.0)], quarters)
    assert result[0] is not None
    assert result[0].value == 3.0
    assert result[1] is None
