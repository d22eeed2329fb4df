"""Live demo feed: ``python -m tools.iocdemo.simulator`` keeps the demo database current.

Every ``ASSISTANT_IOC_SIM_INTERVAL_S`` seconds it upserts the demo periods published recently
(so new days and months appear as time passes) and today's partial daily values, scaled by the
elapsed fraction of the day, with ``as_of`` = now. Stop it and the answers turn stale.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta

from ioc.areas import Area, Areas, load_areas
from ioc.catalog import Catalog, load_catalog
from ioc.errors import IndicatorError
from ioc.model import Observation
from ioc.store import SqlSource
from settings.services import SettingsError, get_settings
from tools.iocdemo.series import SeedParams, generate, load_seed_params

__all__ = ["main", "partial_today", "tick"]

logger = logging.getLogger(__name__)
_RECENT_DAYS = 40


def partial_today(
    catalog: Catalog, areas: Areas, params: SeedParams, now: datetime
) -> Iterator[Observation]:
    """Today's daily observations scaled to the elapsed part of the day (as_of = now).

    Leaf units are scaled, parents are re-combined from them so units still add up.
    """
    fraction = (now - datetime.combine(now.date(), datetime.min.time())).total_seconds() / 86400
    tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    parents = {a.parent for a in areas if a.parent}
    rows: dict[tuple[str, str], Observation] = {}
    for obs in generate(catalog, areas, params, tomorrow, since=now.date()):
        if obs.period_start == now.date():
            rows[(obs.indicator, obs.area)] = obs
    scaled: dict[tuple[str, str], Observation] = {}
    for (code, area), obs in rows.items():
        if area in parents:
            continue
        ind = catalog.get(code)
        value, num, den = obs.value, obs.numerator, obs.denominator
        if ind.aggregation == "sum":
            value = obs.value * fraction
            value = float(round(value)) if float(obs.value).is_integer() else round(value, 4)
        elif ind.aggregation == "rate" and num is not None and den is not None:
            den = max(1.0, float(round(den * fraction)))
            num = float(min(den, round(num * fraction)))
            value = 100 * num / den
        scaled[(code, area)] = replace(
            obs, value=value, numerator=num, denominator=den, as_of=now.replace(microsecond=0)
        )
    for parent in sorted((a for a in areas if a.code in parents), key=_depth(areas), reverse=True):
        kids = [k.code for k in areas.children(parent.code)]
        for code in {c for c, _ in rows}:
            ind, obs = catalog.get(code), rows[(code, parent.code)]
            children = [scaled[(code, k)] for k in kids]
            value, num, den = obs.value, None, None
            if ind.aggregation == "sum" and params.indicators[code].get("area_rule") != "mean":
                value = sum(c.value for c in children)
            elif ind.aggregation == "rate":
                num = sum(c.numerator or 0.0 for c in children)
                den = sum(c.denominator or 0.0 for c in children)
                value = 100 * num / den
            elif ind.aggregation == "sum":  # area mean of a time sum (rainfall)
                value = round(obs.value * fraction, 4)
            scaled[(code, parent.code)] = replace(
                obs, value=value, numerator=num, denominator=den, as_of=now.replace(microsecond=0)
            )
    yield from scaled.values()


def _depth(areas: Areas) -> Callable[[Area], int]:
    def depth(area: Area) -> int:
        return 0 if area.parent is None else 1 + depth(areas.get(area.parent))

    return depth


def tick(
    store: SqlSource, catalog: Catalog, areas: Areas, params: SeedParams, now: datetime
) -> int:
    """One simulator step; returns the number of rows written."""
    since: date = now.date() - timedelta(days=_RECENT_DAYS)
    written = store.upsert(generate(catalog, areas, params, now, since=since))
    written += store.upsert(partial_today(catalog, areas, params, now))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Append live demo observations periodically.")
    parser.add_argument("--interval-s", type=float, help="seconds between ticks")
    parser.add_argument("--once", action="store_true", help="run one tick and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = get_settings()
        paths = settings.paths
        catalog = load_catalog(paths.ioc_catalog)
        areas = load_areas(paths.ioc_areas)
        params = load_seed_params(paths.ioc_seed, catalog)
        store = SqlSource(paths.ioc_db_url)
    except (IndicatorError, SettingsError) as exc:
        logger.error("simulator cannot start: %s", exc)
        return 2
    interval = args.interval_s or settings.ioc.simulator_interval_s
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.is_set():
        try:
            count = tick(store, catalog, areas, params, datetime.now())
            logger.info("simulator wrote %d observations", count)
        except IndicatorError as exc:
            logger.warning("simulator tick failed: %s", exc)
        if args.once:
            break
        try:
            stop.wait(interval)
        except KeyboardInterrupt:
            break
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
