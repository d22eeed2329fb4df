"""Write the demo series into the IOC database: ``python -m ioc.seed`` (idempotent)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime

from ioc.areas import load_areas
from ioc.catalog import load_catalog
from ioc.demo_series import generate, load_seed_params
from ioc.errors import IndicatorError
from ioc.settings import IocSettings
from ioc.store import SqlSource

__all__ = ["main", "seed_database"]

logger = logging.getLogger(__name__)


def seed_database(
    settings: IocSettings, *, now: datetime | None = None, url: str | None = None
) -> int:
    """Upsert every demo observation published up to ``now``; return the row count."""
    catalog = load_catalog(settings.catalog_path)
    areas = load_areas(settings.areas_path)
    params = load_seed_params(settings.seed_path, catalog)
    store = SqlSource(url or settings.db_url)
    return store.upsert(generate(catalog, areas, params, now or datetime.now()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed the IOC database with demo series.")
    parser.add_argument("--db-url", help="SQLAlchemy URL (default: ASSISTANT_IOC_DB_URL)")
    parser.add_argument("--now", help="reference time YYYY-MM-DD[THH:MM] (default: now)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = IocSettings.from_env()
        now = datetime.fromisoformat(args.now) if args.now else None
        started = time.perf_counter()
        count = seed_database(settings, now=now, url=args.db_url)
    except (IndicatorError, ValueError) as exc:
        print(f"seed failed: {exc}", file=sys.stderr)
        return 2
    logger.info(
        "seeded %d demo observations into %s in %.1f s",
        count,
        args.db_url or settings.db_url,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
