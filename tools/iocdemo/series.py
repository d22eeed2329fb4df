"""Deterministic, plausible demo series for every indicator x area (see data/ioc/seed.yml)."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ioc import periods as P
from ioc.areas import Area, Areas
from ioc.catalog import Catalog, Indicator
from ioc.datafile import LINE_KEY, load_yaml
from ioc.errors import DataFileError
from ioc.model import Observation

__all__ = ["SeedParams", "generate", "load_seed_params", "publication_time"]

# publication lag after the period end (daily figures are final at 23:55 the same day)
_LAG = {
    "day": timedelta(hours=23, minutes=55),
    "week": timedelta(days=1, hours=8),
    "month": timedelta(days=5, hours=8),
    "quarter": timedelta(days=20, hours=8),
    "year": timedelta(days=30, hours=8),
}
_PER_YEAR = {"day": 365.0, "week": 52.0, "month": 12.0, "quarter": 4.0, "year": 1.0}
_FLAT = [1.0] * 12


@dataclass(frozen=True)
class SeedParams:
    start: date
    rng_seed: int
    profiles: Mapping[str, list[float]]
    indicators: Mapping[str, Mapping[str, Any]]


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k != LINE_KEY}
    return value


def load_seed_params(path: Path, catalog: Catalog) -> SeedParams:
    """Load seed.yml; every catalog indicator needs an entry."""
    data = load_yaml(path)
    raw = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}:1: expected 'indicators:' mapping code → parameters")
    missing = [i.code for i in catalog if i.code not in raw]
    if missing:
        raise DataFileError(f"{path}:{raw.get(LINE_KEY, 1)}: no seed parameters for {missing}")
    return SeedParams(
        start=data.get("start") or date(2022, 1, 1),
        rng_seed=int(data.get("rng_seed", 1)),
        profiles=_clean(data.get("profiles") or {}),
        indicators=_clean(raw),
    )


def publication_time(grain: str, period_end: date) -> datetime:
    """When a demo figure of ``grain`` ending ``period_end`` is published."""
    return datetime.combine(period_end, time()) + _LAG[grain]


def _grain_periods(grain: str, start: date, last_day: date) -> list[P.Period]:
    periods = [P.bucket(grain, start)]
    while periods[-1].end < last_day:
        periods.append(P.bucket(grain, periods[-1].end + timedelta(days=1)))
    return periods


def _level(params: Mapping[str, Any], year: int) -> float:
    levels = params["levels"]
    return float(
        levels.get(
            year,
            levels[max(y for y in levels if y <= year)]
            if any(y <= year for y in levels)
            else levels[min(levels)],
        )
    )


class _Generator:
    def __init__(
        self, indicator: Indicator, params: Mapping[str, Any], seed: SeedParams, leaves: list[Area]
    ) -> None:
        self.ind, self.p, self.seed, self.leaves = indicator, params, seed, leaves
        weights = params.get("area_weights") or {a.code: a.weight for a in leaves}
        total = sum(weights.get(a.code, 0.0) for a in leaves) or 1.0
        self.weights = {a.code: weights.get(a.code, 0.0) / total for a in leaves}
        self.season = seed.profiles.get(params.get("season", ""), _FLAT)
        self.weekday = seed.profiles.get(params.get("weekday", ""), [1.0] * 7)

    def _rng(self, area: str, period: P.Period | None = None) -> random.Random:
        # one generator per value: a value never depends on where the series starts
        key = f"{self.seed.rng_seed}:{self.ind.code}:{area}:{period.start if period else ''}"
        return random.Random(zlib.crc32(key.encode()))

    def _years(self, period: P.Period) -> float:
        return (period.start - self.seed.start).days / 365.25

    def _shape(self, period: P.Period) -> float:
        shape = self.season[period.start.month - 1]
        if self.ind.periodicity == "day":
            shape *= self.weekday[period.start.weekday()] / (sum(self.weekday) / 7)
        return shape

    def leaf_values(
        self, area: str, periods: list[P.Period]
    ) -> list[tuple[float, float | None, float | None]]:
        p, rule = self.p, self.ind.aggregation
        w, out = self.weights[area], list[tuple[float, float | None, float | None]]()
        offset = float(
            p.get("area_offsets", {}).get(area, self._rng(area).gauss(0, p.get("area_sd", 0.0)))
        )
        history: list[float] = []
        for period in periods:
            rng = self._rng(area, period)
            years, shape = self._years(period), self._shape(period)
            if p.get("model") == "rain":
                wet = rng.random() < min(0.95, 0.45 * shape)
                value = rng.expovariate(1.0) * p["annual"] / 365 * 2.2 * shape if wet else 0.0
                out.append((round(value, 1), None, None))
            elif rule in ("sum", "last"):
                per = 1.0 if rule == "last" else _PER_YEAR[self.ind.periodicity]
                base = p["annual"] / per * (1 + p.get("growth", 0.0)) ** years * shape * w
                value = max(0.0, base * (1 + p.get("noise", 0.0) * rng.gauss(0, 1)))
                out.append((value, None, None))
            elif rule == "mean":
                value = _level(p, period.start.year) * shape + offset + rng.gauss(0, p["sd"])
                out.append((max(0.0, value), None, None))
            elif rule == "rate":
                den = p["denominator"] * w * (1 + p.get("growth", 0.0)) ** years
                if self.ind.periodicity == "day":
                    den /= 365.0
                den = max(1.0, den * (1 + 0.05 * rng.gauss(0, 1)))
                rate = _level(p, period.start.year) + offset + rng.gauss(0, p["sd"])
                rate = min(float(p.get("max_rate", 100)), max(0.0, rate))
                if p.get("integer"):
                    den = float(round(den))
                num = round(den * rate / 100) if p.get("integer") else den * rate / 100
                out.append((100 * num / den, float(num), den))
            else:  # growth: quarterly level vs the same quarter a year earlier
                if not history:
                    history = [p["annual"] * w / 4 * s for s in (0.23, 0.24, 0.26, 0.27)]
                growth = _level(p, period.start.year) + rng.gauss(0, p["sd"])
                level = history[-4] * (1 + growth / 100)
                history.append(level)
                out.append((100 * (level / history[-5] - 1), level, history[-5]))
        return out


def _calibrate(
    code: str,
    params: Mapping[str, Any],
    periods: list[P.Period],
    leaf_series: dict[str, list[list[float]]],
) -> None:
    for key, target in (params.get("calibrate") or {}).items():
        year, _, half = str(key).partition("-")
        window = P.first_half(int(year)) if half == "H1" else P.year(int(year))
        idx = [i for i, per in enumerate(periods) if window.start <= per.start <= window.end]
        if not idx and (not periods or periods[0].start > window.end):
            continue  # window before the generated range (incremental generation)
        total = sum(s[i][0] for s in leaf_series.values() for i in idx)
        if not idx or total <= 0:
            raise DataFileError(f"calibration {code} {key}: no generated values in that window")
        for series in leaf_series.values():
            for i in idx:
                series[i][0] *= target / total
        if params.get("integer"):
            cells = [(s, i) for s in leaf_series.values() for i in idx]
            for s, i in cells:
                s[i][0] = float(round(s[i][0]))
            s, i = max(cells, key=lambda c: c[0][c[1]][0])
            s[i][0] += target - sum(c[0][c[1]][0] for c in cells)


def _calibrated_until(params: Mapping[str, Any]) -> date:
    ends = [date(int(str(key)[:4]), 12, 31) for key in (params.get("calibrate") or {})]
    return max(ends, default=date.min)


def _combine(
    ind: Indicator, rule_area: str, rows: list[list[Any]], weights: list[float]
) -> list[Any]:
    if ind.aggregation in ("rate", "growth"):
        num, den = sum(r[1] for r in rows), sum(r[2] for r in rows)
        value = 100 * num / den if ind.aggregation == "rate" else 100 * (num / den - 1)
        return [value, num, den]
    if rule_area == "mean" or ind.aggregation == "mean":
        total_w = sum(weights) or 1.0
        return [sum(r[0] * w for r, w in zip(rows, weights, strict=True)) / total_w, None, None]
    return [sum(r[0] for r in rows), None, None]


def generate(
    catalog: Catalog, areas: Areas, seed: SeedParams, now: datetime, *, since: date | None = None
) -> Iterator[Observation]:
    """Demo observations published up to ``now`` (optionally only periods ending ≥ ``since``)."""
    parents = {a.parent for a in areas if a.parent}
    leaves = [a for a in areas if a.code not in parents]
    for ind in catalog:
        params = seed.indicators[ind.code]
        first = seed.start
        if ind.periodicity == "day":  # daily series: the last three full years are enough
            first = max(first, date(now.year - 3, 1, 1))
        if since is not None and ind.aggregation != "growth" and since > _calibrated_until(params):
            first = max(first, since)  # values are per-period seeded: skipping is safe
        periods = [
            p
            for p in _grain_periods(ind.periodicity, first, now.date())
            if publication_time(ind.periodicity, p.end) <= now
        ]
        gen = _Generator(ind, params, seed, leaves)
        series: dict[str, list[list[Any]]] = {
            a.code: [list(v) for v in gen.leaf_values(a.code, periods)] for a in leaves
        }
        _calibrate(ind.code, params, periods, series)
        if params.get("integer") and ind.aggregation in ("sum", "last", "mean"):
            for rows in series.values():
                for row in rows:
                    row[0] = float(round(row[0]))
        pending = [a for a in areas if a.code in parents]
        while pending:  # bottom-up: a parent is combined once all its children exist
            for area in list(pending):
                kids = areas.children(area.code)
                if all(k.code in series for k in kids):
                    series[area.code] = [
                        _combine(
                            ind,
                            params.get("area_rule", ""),
                            [series[k.code][i] for k in kids],
                            [gen.weights.get(k.code, k.weight) for k in kids],
                        )
                        for i in range(len(periods))
                    ]
                    pending.remove(area)
        for code, rows in series.items():
            for period, (value, num, den) in zip(periods, rows, strict=True):
                if since is not None and period.end < since:
                    continue
                yield Observation(
                    ind.code,
                    code,
                    period.start,
                    period.end,
                    round(value, 4),
                    num,
                    den,
                    publication_time(ind.periodicity, period.end),
                    ind.agency,
                    True,
                )
