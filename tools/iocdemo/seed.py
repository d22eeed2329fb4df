"""Write the demo series into the IOC database: ``python -m tools.iocdemo.seed`` (idempotent)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime

from ioc.areas import load_areas
from ioc.catalog import load_catalog
from ioc.errors import IndicatorError
from ioc.store import SqlSource
from settings.services import PathSettings, SettingsError, get_settings
from tools.iocdemo.series import generate, load_seed_params

__all__ = ["main", "seed_database"]

logger = logging.getLogger(__name__)


def seed_database(
    paths: PathSettings, *, now: datetime | None = None, url: str | None = None
) -> int:
    """Upsert every demo observation published up to ``now``; return the row count."""
    catalog = load_catalog(paths.ioc_catalog)
    areas = load_areas(paths.ioc_areas)
    params = load_seed_params(paths.ioc_seed, catalog)
    store = SqlSource(url or paths.ioc_db_url)
    return store.upsert(generate(catalog, areas, params, now or datetime.now()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed the IOC database with demo series.")
    parser.add_argument("--db-url", help="SQLAlchemy URL (default: ASSISTANT_IOC_DB_URL)")
    parser.add_argument("--now", help="reference time YYYY-MM-DD[THH:MM] (default: now)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        paths = get_settings().paths
        now = datetime.fromisoformat(args.now) if args.now else None
        started = time.perf_counter()
        count = seed_database(paths, now=now, url=args.db_url)
    except (IndicatorError, SettingsError, ValueError) as exc:
        print(f"seed failed: {exc}", file=sys.stderr)
        return 2
    logger.info(
        "seeded %d demo observations into %s in %.1f s",
        count,
        args.db_url or paths.ioc_db_url,
        time.perf_counter() - started,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
