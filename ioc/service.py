"""Answer an indicator question: parse → access check → query → aggregate → chart → text."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from ioc import periods as P
from ioc.aggregate import aggregate, aggregate_buckets
from ioc.answer import Messages, format_number, format_value, load_messages
from ioc.areas import Area, Areas, load_areas
from ioc.catalog import Catalog, Indicator, load_catalog
from ioc.chart import ChartSpec, render_chart
from ioc.errors import NoData, PeriodError, SourceUnavailable, UnknownIndicator
from ioc.http_source import HttpSource
from ioc.model import Aggregate
from ioc.parser import QuestionParser
from ioc.periods import encode_period
from ioc.source import Source
from ioc.store import SqlSource
from settings.services import IocSettings, PathSettings

__all__ = ["IndicatorReply", "IocService", "make_source"]

logger = logging.getLogger(__name__)
_GRACE_DAYS = {"day": 1, "week": 3, "month": 15, "quarter": 30, "year": 60}
_DAY_FINAL = time(23, 55)  # daily figures published at/after this time are final
_CHART_GRAIN = {"day": "day", "week": "week", "quarter": "quarter"}  # others → month


@dataclass(frozen=True)
class IndicatorReply:
    text: str
    fallback: bool
    domain: str | None = None
    indicator_slot: dict[str, Any] | None = None
    image: str | None = None
    buttons: tuple[dict[str, str], ...] = field(default_factory=tuple)


def make_source(settings: IocSettings, db_url: str) -> Source:
    """The configured source: SQL store at ``db_url`` (default) or the HTTP adapter."""
    if settings.source == "http":
        return HttpSource(
            settings.api_url,
            token=settings.api_token,
            timeout_s=settings.api_timeout_s,
            retries=settings.api_retries,
            cache_ttl_s=settings.api_cache_ttl_s,
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
        self.public_url = public_url
        self.catalog: Catalog = load_catalog(paths.ioc_catalog)
        self.areas: Areas = load_areas(paths.ioc_areas)
        self.messages: Messages = load_messages(paths.messages_dir / "indicators.yml")
        self.parser = QuestionParser(self.catalog, self.areas)
        self.source = source if source is not None else make_source(settings, paths.ioc_db_url)

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
    ) -> IndicatorReply:
        """Reply to ``text`` (or to a button choice: ``code`` + optional period/area)."""
        msg = self.messages
        as_of_before = now or datetime.combine(today, datetime.max.time())
        try:
            parsed = self.parser.parse(text, today)
        except PeriodError:
            return IndicatorReply(msg.get("bad_period"), fallback=True)
        codes = (code,) if code else parsed.indicator_codes
        area = self.areas.get(area_code) if area_code else parsed.area
        period = period or parsed.period
        if not codes:
            return IndicatorReply(msg.get("unknown"), fallback=True)
        if len(codes) > 1:
            return self._choices(codes, period, area)
        try:
            indicator = self.catalog.get(codes[0])
        except UnknownIndicator:
            return IndicatorReply(msg.get("unknown"), fallback=True)
        if indicator.audience == "staff" and role != "staff":
            logger.info("staff-only indicator %s refused to role %s", indicator.code, role)
            return IndicatorReply(
                msg.get("staff_only", name=indicator.name), fallback=True, domain=indicator.domain
            )
        try:
            return self._answer(indicator, period, area, today, as_of_before)
        except NoData as exc:
            logger.info("no data: %s", exc)
            label = msg.period(period) if period else ""
            return IndicatorReply(
                msg.get("no_data", name=indicator.name, period=label, area=area.name),
                fallback=True,
                domain=indicator.domain,
            )
        except SourceUnavailable as exc:
            logger.warning("IOC source unavailable: %s", exc)
            return IndicatorReply(msg.get("unavailable"), fallback=True, domain=indicator.domain)

    def _choices(
        self, codes: tuple[str, ...], period: P.Period | None, area: Area
    ) -> IndicatorReply:
        buttons = []
        for code in codes:
            entities: dict[str, str] = {"indicator_code": code, "area_code": area.code}
            if period is not None:
                entities["period"] = encode_period(period)
            payload = "/ask_indicator" + json.dumps(
                entities, ensure_ascii=False, separators=(",", ":")
            )
            buttons.append({"title": self.catalog.get(code).name, "payload": payload})
        domains = {self.catalog.get(c).domain for c in codes}
        return IndicatorReply(
            self.messages.get("ambiguous"),
            fallback=False,
            domain=domains.pop() if len(domains) == 1 else None,
            buttons=tuple(buttons),
        )

    def _answer(
        self,
        ind: Indicator,
        requested: P.Period | None,
        area: Area,
        today: date,
        as_of_before: datetime,
    ) -> IndicatorReply:
        msg, notes = self.messages, []
        latest = self.source.latest(ind.code, area.code, as_of_before=as_of_before)
        if latest is None:
            raise NoData(f"no observation of {ind.code} for {area.code}")
        period = requested
        rows = (
            self.source.observations(
                ind.code, area.code, period.start, period.end, as_of_before=as_of_before
            )
            if period
            else []
        )
        if period is None:
            period = P.bucket(ind.periodicity, latest.period_end)
            notes.append(msg.get("latest_note", period=msg.period(period)))
        elif (
            requested is not None
            and not rows
            and (
                period.days < P.GRAIN_DAYS[ind.periodicity]
                or period.end >= today
                or period.start > latest.period_end
            )
        ):
            period = P.bucket(ind.periodicity, min(requested.end, latest.period_end))
            rows = self.source.observations(
                ind.code, area.code, period.start, period.end, as_of_before=as_of_before
            )
            if not rows:
                period = P.bucket(ind.periodicity, latest.period_end)
            notes.append(
                msg.get(
                    "coarse_note",
                    requested=msg.period(requested),
                    period=msg.period(period),
                    periodicity=msg.periodicity_names[ind.periodicity],
                )
            )
        if not rows:
            rows = self.source.observations(
                ind.code, area.code, period.start, period.end, as_of_before=as_of_before
            )
        agg = aggregate(ind, rows)
        lines = [
            msg.get(
                "answer",
                name=ind.name,
                period=msg.period(period),
                area=area.name,
                value=format_value(agg.value, ind),
            )
        ]
        # a daily figure still being updated (simulator / live feed) is not final yet
        open_day = agg.as_of < datetime.combine(agg.last_end, _DAY_FINAL)
        if open_day:
            lines.append(msg.get("partial_day", as_of=agg.as_of))
        elif agg.last_end < min(period.end, today):
            lines.append(msg.get("partial", last_end=agg.last_end))
        lines.extend(notes)
        if not (open_day and ind.aggregation == "sum"):  # half a day vs a full day misleads
            change = self._change(ind, area, period, agg, as_of_before)
            lines.extend([change] if change else [])
        if area.parent is None:
            lines.extend(self._plan(ind, area, period, agg, as_of_before))
        lines.append(msg.get("source", agency=ind.agency, as_of=agg.as_of))
        stale_after = P.GRAIN_DAYS[ind.periodicity] + _GRACE_DAYS[ind.periodicity]
        if (today - latest.period_end).days > stale_after:
            lines.append(
                msg.get(
                    "stale",
                    last_end=latest.period_end,
                    agency=ind.agency,
                    periodicity=msg.periodicity_names[ind.periodicity],
                )
            )
        if agg.is_demo:
            lines.append(msg.get("demo"))
        image = self._chart(ind, area, period, agg, as_of_before)
        slot = {"code": ind.code, "period": (requested or period).as_slot(), "area": area.as_slot()}
        return IndicatorReply(
            "\n".join(lines), fallback=False, domain=ind.domain, indicator_slot=slot, image=image
        )

    def _change(
        self, ind: Indicator, area: Area, period: P.Period, agg: Aggregate, as_of_before: datetime
    ) -> str:
        # like for like: the covered part of the period, one year earlier
        before = P.Period(agg.first_start, agg.last_end, period.kind).year_earlier()
        rows = self.source.observations(
            ind.code, area.code, before.start, before.end, as_of_before=as_of_before
        )
        if not rows:
            return ""
        previous = aggregate(ind, rows).value
        if ind.is_ratio:
            delta = agg.value - previous
            text = f"{format_number(abs(delta), 2)} {self.messages.get('points')}"
        elif previous:
            delta = (agg.value - previous) / abs(previous) * 100
            text = f"{format_number(abs(delta), 1)}%"
        else:
            return ""
        if round(delta, 2) == 0:
            return self.messages.get("change_flat")
        return self.messages.get("change_up" if delta > 0 else "change_down", change=text)

    def _plan(
        self,
        ind: Indicator,
        area: Area,
        period: P.Period,
        agg: Aggregate,
        as_of_before: datetime,
    ) -> list[str]:
        year = period.start.year
        target = ind.targets.get(year)
        if target is None or period.end.year != year:
            return []
        shown = format_value(target, ind)
        if ind.aggregation == "sum":  # yearly plan vs the cumulative total since 1 January
            rows = self.source.observations(
                ind.code, area.code, date(year, 1, 1), agg.last_end, as_of_before=as_of_before
            )
            ytd = aggregate(ind, rows)
            return [
                self.messages.get(
                    "plan_sum",
                    last_end=ytd.last_end,
                    ytd=format_value(ytd.value, ind),
                    percent=format_number(ytd.value / target * 100, 1),
                    year=year,
                    target=shown,
                )
            ]
        key = "plan_level_met" if agg.value >= target else "plan_level_unmet"
        return [self.messages.get(key, year=year, target=shown)]

    def _chart(
        self, ind: Indicator, area: Area, period: P.Period, agg: Aggregate, as_of_before: datetime
    ) -> str | None:
        grain = _CHART_GRAIN.get(period.kind, "month")
        if not P.coarser_or_equal(grain, ind.periodicity):
            grain = ind.periodicity
        current = P.buckets(grain, min(period.end, agg.last_end), 12)
        previous = [p.year_earlier() for p in current]
        rows = self.source.observations(
            ind.code, area.code, previous[0].start, current[-1].end, as_of_before=as_of_before
        )
        values = [a.value if a else None for a in aggregate_buckets(ind, rows, current)]
        before = [a.value if a else None for a in aggregate_buckets(ind, rows, previous)]
        msg = self.messages
        spec = ChartSpec(
            title=msg.get("chart_title", name=ind.name, area=area.name),
            unit=ind.unit,
            ticks=[msg.tick(grain, p) for p in current],
            current=values,
            previous=before,
            current_label=msg.get("chart_current"),
            previous_label=msg.get("chart_previous"),
            footnote=f"{ind.agency}. {msg.get('chart_demo') if agg.is_demo else ''}".strip(),
            decimals=ind.decimals,
        )
        try:
            path = render_chart(spec, self.charts_dir)
        except OSError as exc:
            logger.warning("chart for %s not written: %s", ind.code, exc)
            return None
        return f"{self.public_url}/charts/{path.name}"


def end_of(day: date) -> datetime:
    """Last moment of ``day`` (reference time for a fixed reference date)."""
    return datetime.combine(day, datetime.min.time()) + timedelta(days=1, microseconds=-1)
