"""Indicator turns (parse + query + chart) on SQLite: ``python -m tools.bench.indicators``.

Seeds a temporary database (reference 2024-06-15), runs every question of the eval set through
``IocService.ask`` with a fresh charts directory (so charts are really rendered), then prints a
markdown table of p50/p95 latencies.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from ioc import chart as chart_module
from ioc.chart import ChartSpec
from ioc.datafile import load_yaml
from ioc.service import IocService, end_of
from settings.services import get_settings, load_settings
from tools.iocdemo.seed import seed_database

__all__ = ["main"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Indicator turn latency benchmark (SQLite).")
    parser.add_argument("--rounds", type=int, default=1, help="passes over the question set")
    args = parser.parse_args(argv)
    base = get_settings()
    data = load_yaml(base.paths.data_dir / "eval" / "indicators.yml")
    today: date = data["reference_date"]
    questions = [item["q"] for item in data["questions"]]
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            {
                "ASSISTANT_DATA_DIR": str(base.paths.data_dir),
                "ASSISTANT_IOC_DB_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "ASSISTANT_CHARTS_DIR": str(Path(tmp) / "charts"),
            }
        )
        started = time.perf_counter()
        rows = seed_database(
            settings.paths,
            now=datetime.combine(today, datetime.min.time()).replace(hour=23, minute=59),
        )
        seed_s = time.perf_counter() - started
        service = IocService(settings.paths, settings.ioc, public_url=settings.web.public_url)
        chart_times: list[float] = []
        original = chart_module.render_chart

        def timed_render(spec: ChartSpec, out_dir: Path, *, prefix: str = "") -> Path:
            t0 = time.perf_counter()
            try:
                return original(spec, out_dir, prefix=prefix)
            finally:
                chart_times.append(time.perf_counter() - t0)

        import ioc.compose as compose_module

        compose_module.render_chart = timed_render  # measure only; behaviour unchanged
        turn_times: list[float] = []
        parse_times: list[float] = []
        for round_ in range(args.rounds):
            for question in questions:
                t0 = time.perf_counter()
                service.parser.parse(question, today)
                parse_times.append(time.perf_counter() - t0)
                if round_:
                    for png in settings.paths.charts_dir.glob("*.png"):
                        png.unlink()
                t0 = time.perf_counter()
                service.ask(question, today=today, now=end_of(today), role="staff")
                turn_times.append(time.perf_counter() - t0)
        compose_module.render_chart = original
    print(
        f"IOC indicator benchmark — SQLite, {len(questions)} questions x {args.rounds} round(s), "
        f"seed {rows} rows in {seed_s:.1f} s\n"
    )
    print("| measure | n | p50 (ms) | p95 (ms) | mean (ms) |")
    print("|---|---|---|---|---|")
    for name, values in (
        ("parse (spaCy matchers)", parse_times),
        ("full turn (parse + query + chart)", turn_times),
        ("chart render (PNG)", chart_times),
    ):
        if values:
            print(
                f"| {name} | {len(values)} | {_pct(values, 0.5):.1f} | {_pct(values, 0.95):.1f} "
                f"| {statistics.mean(values) * 1000:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
