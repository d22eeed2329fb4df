"""Answer an indicator question: parse → access check → resolve period → one window → compose.

A turn reads the source at most twice: the latest observation (fallback period, staleness) and
one observation window covering everything the answer shows (value, change, plan, chart).

Both reads end by the turn's deadline (``ioc.guard``: own pool, circuit breaker). When the source
fails or is too slow, the turn answers with the last good answer to the same question, flagged
with when it was read, or says the source is unavailable.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypedDict

from ioc import periods as P
from ioc.answer import Messages, load_messages
from ioc.areas import Area, Areas, load_areas
from ioc.catalog import Catalog, Indicator, load_catalog
from ioc.chart import ChartPruner
from ioc.charturl import ChartSigner
from ioc.compose import Composer, reading_span
from ioc.errors import NoData, PeriodError, SourceUnavailable, UnknownIndicator
from ioc.guard import BreakerState, CircuitBreaker, GuardedSource, SourceSkipped
from ioc.http_source import HttpSource
from ioc.lastgood import LastGoodAnswers
from ioc.parser import QuestionParser
from ioc.reply import IndicatorChoice, IndicatorReply
from ioc.resolve import candidate_periods, resolve_period
from ioc.source import Source
from ioc.store import SqlSource
from ioc.window import ObservationWindow
from settings.services import IocSettings, PathSettings

__all__ = [
    "IndicatorChoice",
    "IndicatorReply",
    "IocService",
    "IocStatus",
    "end_of",
    "make_source",
]

logger = logging.getLogger(__name__)


class IocStatus(TypedDict):
    """What ``/health`` shows of the IOC service: the source's circuit and the bounded caches."""

    source: BreakerState
    last_good_answers: int
    source_cache: int | None  # HTTP answers cached (None: the SQL source has no cache)
    parser_vocab: int  # strings in the parser's spaCy vocabulary


def make_source(settings: IocSettings, db_url: str) -> Source:
    """The configured source: SQL store at ``db_url`` (default) or the HTTP adapter."""
    if settings.source == "http":
        return HttpSource(
            settings.api_url,
            token=settings.api_token,
            timeout_s=settings.api_timeout_s,
            retries=settings.api_retries,
            cache_ttl_s=settings.api_cache_ttl_s,
            cache_max_items=settings.api_cache_max,
        )
    return SqlSource(db_url)


class IocService:
    """Everything ``action_query_indicator`` needs, built once per process."""

    def __init__(
        self,
        paths: PathSettings,
        settings: IocSettings,
        *,
        public_url: str,
        source: Source | None = None,
    ) -> None:
        self.charts_dir = paths.charts_dir
        self.catalog: Catalog = load_catalog(paths.ioc_catalog)
        self.areas: Areas = load_areas(paths.ioc_areas)
        self.messages: Messages = load_messages(paths.messages_dir / "indicators.yml")
        self.parser = QuestionParser(self.catalog, self.areas)
        self.source = source if source is not None else make_source(settings, paths.ioc_db_url)
        self.breaker = CircuitBreaker(
            failures=settings.breaker_failures, cooldown_s=settings.breaker_cooldown_s
        )
        self.guard = GuardedSource(self.source, self.breaker, workers=settings.workers)
        self.turn_deadline_s = settings.turn_deadline_s
        self.last_good = LastGoodAnswers(
            max_items=settings.last_good_max, max_age_s=settings.last_good_max_age_s
        )
        self.chart_pruner = ChartPruner(
            paths.charts_dir,
            max_files=settings.charts_max_files,
            max_age_s=settings.charts_max_age_s,
        )
        self.chart_pruner.prune()
        self.composer = Composer(
            self.messages,
            charts_dir=paths.charts_dir,
            public_url=public_url,
            pruner=self.chart_pruner,
            signer=ChartSigner(settings.chart_url_secret, settings.chart_url_ttl_s),
        )

    def close(self) -> None:
        """Stop the source pool (hung calls end with the source's own timeouts)."""
        self.guard.close()

    def status(self) -> IocStatus:
        """The source's circuit and the sizes of the bounded caches (for ``/health``)."""
        return {
            "source": self.breaker.snapshot(),
            "last_good_answers": len(self.last_good),
            "source_cache": len(self.source.cache) if isinstance(self.source, HttpSource) else None,
            "parser_vocab": self.parser.vocab_size,
        }

    def ask(
        self,
        text: str,
        *,
        today: date,
        role: str,
        now: datetime | None = None,
        code: str | None = None,
        period: P.Period | None = None,
        area_code: str | None = None,
        deadline: float | None = None,
    ) -> IndicatorReply:
        """Reply to ``text`` or to a choice (``code``…); source reads end by ``deadline``."""
        if deadline is None:
            deadline = time.monotonic() + self.turn_deadline_s
        msg = self.messages
        as_of_before = now or datetime.combine(today, datetime.max.time())
        try:
            parsed = self.parser.parse(text, today)
        except PeriodError:
            return IndicatorReply(msg.get("bad_period"), fallback=True)
        codes = (code,) if code else parsed.indicator_codes
        area = self._area(area_code) or parsed.area
        period = period or parsed.period
        if not codes:
            return self._unknown(text, role, period, area)
        if len(codes) > 1:
            # a citizen is never offered (nor shown the name of) a staff-only indicator
            visible = tuple(c for c in codes if role == "staff" or not self._staff_only(c))
            if len(visible) > 1:
                return self._choices(visible, period, area)
            codes = visible or codes[:1]  # one left: answer it; none: the refusal below
        try:
            indicator = self.catalog.get(codes[0])
        except UnknownIndicator:
            return IndicatorReply(msg.get("unknown"), fallback=True)
        if indicator.audience == "staff" and role != "staff":
            logger.info("staff-only indicator %s refused to role %s", indicator.code, role)
            return IndicatorReply(
                msg.get("staff_only", name=indicator.name),
                fallback=True,
                domain=indicator.domain,
                refused=True,
            )
        try:
            reply = self._answer(indicator, period, area, today, as_of_before, deadline)
        except NoData as exc:
            logger.info("no data: %s", exc)
            label = msg.period(period) if period else ""
            return IndicatorReply(
                msg.get("no_data", name=indicator.name, period=label, area=area.name),
                fallback=True,
                domain=indicator.domain,
            )
        except SourceSkipped as exc:  # the breaker logged when it opened: no line per turn
            logger.info("IOC source skipped: %s", exc)
            return self._last_good(indicator, area, period)
        except SourceUnavailable as exc:
            logger.warning("IOC source unavailable: %s", exc)
            return self._last_good(indicator, area, period)
        self.last_good.remember(indicator.code, area.code, period, reply)
        return reply

    def _last_good(self, ind: Indicator, area: Area, period: P.Period | None) -> IndicatorReply:
        """The last good answer to this question, flagged stale; else "unavailable"."""
        last = self.last_good.recall(ind.code, area.code, period)
        if last is None:
            return IndicatorReply(
                self.messages.get("unavailable"), fallback=True, domain=ind.domain
            )
        image = last.reply.image
        if image and not (self.charts_dir / image.rsplit("/", 1)[-1].split("?")[0]).is_file():
            image = None  # pruned since: no broken picture
        note = self.messages.get("stale_source", fetched_at=last.fetched_at)
        return replace(last.reply, text=f"{note}\n{last.reply.text}", image=image)

    def _unknown(self, text: str, role: str, period: P.Period | None, area: Area) -> IndicatorReply:
        """No indicator named: the honest answer with what we have for the sector, if any."""
        sector = self.catalog.sector_of(text)
        have = self.catalog.in_domain(sector, role=role) if sector else []
        if not have:
            return IndicatorReply(self.messages.get("unknown"), fallback=True, unnamed=True)
        return IndicatorReply(
            self.messages.get("unknown_in_sector", names="; ".join(i.name for i in have)),
            fallback=False,
            domain=sector,
            choices=tuple(IndicatorChoice(i.code, i.name, area.code, period) for i in have),
        )

    def _staff_only(self, code: str) -> bool:
        try:
            return self.catalog.get(code).audience == "staff"
        except UnknownIndicator:
            return False

    def _area(self, code: str | None) -> Area | None:
        if code and code not in self.areas.units:
            logger.warning("ignoring unknown area code %r", code)
        return self.areas.units.get(code) if code else None

    def _choices(
        self, codes: tuple[str, ...], period: P.Period | None, area: Area
    ) -> IndicatorReply:
        indicators = [self.catalog.get(code) for code in codes]
        domains = {ind.domain for ind in indicators}
        return IndicatorReply(
            self.messages.get("ambiguous"),
            fallback=False,
            domain=domains.pop() if len(domains) == 1 else None,
            choices=tuple(IndicatorChoice(i.code, i.name, area.code, period) for i in indicators),
        )

    def _answer(
        self,
        ind: Indicator,
        requested: P.Period | None,
        area: Area,
        today: date,
        as_of_before: datetime,
        deadline: float,
    ) -> IndicatorReply:
        source = self.guard.until(deadline)
        latest = source.latest(ind.code, area.code, as_of_before=as_of_before)
        if latest is None:
            raise NoData(f"no observation of {ind.code} for {area.code}")
        candidates = candidate_periods(ind, requested, latest.period_end, today)
        start, end = reading_span(ind, candidates)
        window = ObservationWindow.fetch(
            source, ind.code, area.code, start, end, as_of_before=as_of_before
        )
        resolution = resolve_period(ind, requested, latest.period_end, today, window)
        return self.composer.compose(
            ind, area, resolution, window, latest_end=latest.period_end, today=today
        )


def end_of(day: date) -> datetime:
    """Last moment of ``day`` (reference time for a fixed reference date)."""
    return datetime.combine(day, datetime.min.time()) + timedelta(days=1, microseconds=-1)
