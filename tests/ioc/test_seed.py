"""Demo seed: published magnitudes, district/province consistency, determinism, idempotency."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from ioc_testkit import SEED_NOW

from ioc.areas import load_areas
from ioc.catalog import load_catalog
from ioc.store import SqlSource
from settings.services import load_settings
from tools.iocdemo.series import generate, load_seed_params


def _total(db: Path, code: str, area: str, start: str, end: str) -> float:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT SUM(value) FROM ioc_observations WHERE indicator=? AND area=? "
            "AND period_start>=? AND period_end<=?",
            (code, area, start, end),
        ).fetchone()[0]


@pytest.mark.parametrize(
    ("code", "start", "end", "expected"),
    [
        ("tourist_arrivals", "2023-01-01", "2023-12-31", 14_100_000),
        ("tourism_revenue", "2023-01-01", "2023-12-31", 14_678),
        ("budget_revenue", "2022-01-01", "2022-12-31", 109_800),
        ("traffic_accidents", "2023-01-01", "2023-06-30", 191),
        ("traffic_deaths", "2023-01-01", "2023-06-30", 103),
    ],
)
def test_seed_matches_published_figures(
    seeded_db: Path, code: str, start: str, end: str, expected: float
) -> None:
    assert _total(seeded_db, code, "brvt", start, end) == pytest.approx(expected, rel=1e-6)


def test_every_indicator_and_area_has_history_and_daily_series_are_daily(seeded_db: Path) -> None:
    with sqlite3.connect(seeded_db) as conn:
        rows = conn.execute(
            "SELECT indicator, area, MIN(period_start), MAX(period_end), COUNT(*), "
            "MAX(is_demo) FROM ioc_observations GROUP BY 1, 2"
        ).fetchall()
    catalog = load_catalog(load_settings({}).paths.ioc_catalog)
    assert len(rows) == len(catalog) * 9
    for indicator, area, first, last, count, demo in rows:
        assert demo == 1
        assert first <= "2021-06-15", (indicator, area)  # ≥ 36 months of history
        if catalog.get(indicator).periodicity == "day":
            assert last == "2024-06-15", (indicator, area)
            assert count >= 120, (indicator, area)


@pytest.mark.parametrize("code", ["dengue_cases", "dossiers_received", "tourist_arrivals"])
def test_districts_add_up_to_province(seeded_db: Path, code: str) -> None:
    with sqlite3.connect(seeded_db) as conn:
        mismatches = conn.execute(
            "SELECT p.period_start, p.value, d.total FROM ioc_observations p JOIN ("
            "  SELECT period_start, SUM(value) AS total FROM ioc_observations"
            "  WHERE indicator=? AND area!='brvt' GROUP BY period_start) d"
            " ON d.period_start=p.period_start WHERE p.indicator=? AND p.area='brvt'"
            " AND ABS(d.total - p.value) > 1e-6",
            (code, code),
        ).fetchall()
    assert mismatches == []


def test_province_rate_is_sum_of_district_numerators_over_denominators(seeded_db: Path) -> None:
    with sqlite3.connect(seeded_db) as conn:
        province = conn.execute(
            "SELECT value, numerator, denominator FROM ioc_observations WHERE "
            "indicator='dossiers_on_time_rate' AND area='brvt' AND period_start='2024-03-01'"
        ).fetchone()
        num, den = conn.execute(
            "SELECT SUM(numerator), SUM(denominator) FROM ioc_observations WHERE "
            "indicator='dossiers_on_time_rate' AND area!='brvt' AND period_start='2024-03-01'"
        ).fetchone()
    assert province == pytest.approx((100 * num / den, num, den))


def test_generation_is_deterministic_and_upsert_idempotent(tmp_path: Path) -> None:
    paths = load_settings({}).paths
    catalog, areas = load_catalog(paths.ioc_catalog), load_areas(paths.ioc_areas)
    params = load_seed_params(paths.ioc_seed, catalog)
    since = date(2024, 5, 1)
    first = list(generate(catalog, areas, params, SEED_NOW, since=since))
    later = list(generate(catalog, areas, params, datetime(2024, 9, 1), since=since))
    assert first
    assert set(first) <= set(later)
    store = SqlSource(f"sqlite:///{tmp_path / 'idem.sqlite3'}")
    store.upsert(first)
    count = store.count()
    store.upsert(first)
    assert store.count() == count == len(first)
