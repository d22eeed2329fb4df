"""Simulator appends today's partial values; the evaluation reaches its accuracy goal."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from ioc_testkit import make_service

from ioc.areas import load_areas
from ioc.catalog import load_catalog
from ioc.store import SqlSource
from settings.services import Settings, load_settings
from tools.evaluation.indicators import evaluate
from tools.iocdemo.series import load_seed_params
from tools.iocdemo.simulator import tick


def test_simulator_tick_makes_today_answerable(settings: Settings, db_path: Path) -> None:
    paths = settings.paths
    catalog, areas = load_catalog(paths.ioc_catalog), load_areas(paths.ioc_areas)
    params = load_seed_params(paths.ioc_seed, catalog)
    now = datetime(2024, 6, 16, 12, 0)  # the day after the seed, at noon
    tick(SqlSource(paths.ioc_db_url), catalog, areas, params, now)
    with sqlite3.connect(db_path) as conn:
        province, districts = conn.execute(
            "SELECT SUM(CASE WHEN area='brvt' THEN value END), SUM(CASE WHEN area!='brvt' "
            "THEN value END), MAX(as_of) FROM ioc_observations WHERE indicator='hotline_113_calls' "
            "AND period_start='2024-06-16'"
        ).fetchone()[:2]
        full_day = conn.execute(
            "SELECT value FROM ioc_observations WHERE indicator='hotline_113_calls' AND "
            "area='brvt' AND period_start='2024-06-15'"
        ).fetchone()[0]
    assert province == districts
    assert 0.3 * full_day < province < 0.7 * full_day  # half a day of calls
    reply = make_service(settings).ask(
        "tổng đài 113 hôm nay", today=now.date(), now=now, role="staff"
    )
    assert "ngày 16/06/2024" in reply.text
    assert "tính đến 12:00 16/06/2024, chưa phải số cuối ngày" in reply.text
    assert "So với cùng kỳ" not in reply.text  # half a day is not compared with a full day
    assert "Cập nhật lúc 16/06/2024 12:00" in reply.text


def test_indicator_evaluation_reaches_goal() -> None:
    paths = load_settings({}).paths
    result = evaluate(paths.data_dir / "eval" / "indicators.yml", paths)
    assert result.total >= 60
    assert result.accuracy >= 0.95, result.misses
