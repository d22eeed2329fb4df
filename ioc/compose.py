"""The text, chart and slot of an indicator answer, read from one observation window.

:func:`reading_span` says which dates :meth:`Composer.compose` may read for a period, so the
service can fetch them with one source call; keep the two in step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path

from ioc import periods as P
from ioc.aggregate import aggregate, aggregate_buckets
from ioc.answer import Messages, format_number, format_value
from ioc.areas import Area
from ioc.catalog import Indicator
from ioc.chart import ChartPruner, ChartSpec, render_chart
from ioc.charturl import STAFF_PREFIX, ChartSigner
from ioc.model import Aggregate
from ioc.reply import IndicatorReply
from ioc.resolve import Resolution
from ioc.window import ObservationWindow

__all__ = ["Composer", "reading_span"]

logger = logging.getLogger(__name__)
_GRACE_DAYS = {"day": 1, "week": 3, "month": 15, "quarter": 30, "year": 60}
_DAY_FINAL = time(23, 55)  # daily figures published at/after this time are final
_CHART_GRAIN = {"day": "day", "week": "week", "quarter": "quarter"}  # others → month
_CHART_BUCKETS = 12


def _chart_grain(ind: Indicator, period: P.Period) -> str:
    grain = _CHART_GRAIN.get(period.kind, "month")
    return grain if P.coarser_or_equal(grain, ind.periodicity) else ind.periodicity


def reading_span(ind: Indicator, periods: Iterable[P.Period]) -> tuple[date, date]:
    """First and last day an answer about any of ``periods`` may read (value, change, plan, chart).

    The figures read lie inside the period; the comparison one year earlier; the plan since
    1 January; the chart 12 buckets ending in the period and the same buckets a year earlier.
    """
    starts, ends = [], []
    for period in periods:
        grain = _chart_grain(ind, period)
        starts += [
            period.year_earlier().start,
            date(period.start.year, 1, 1),
            P.buckets(grain, period.start, _CHART_BUCKETS)[0].year_earlier().start,
        ]
        ends += [period.end, P.bucket(grain, period.end).end]
    return min(starts), max(ends)


class Composer:
    """Writes the reply for a resolved period (no source access: everything is in the window)."""

    def __init__(
        self,
        messages: Messages,
        *,
        charts_dir: Path,
        public_url: str,
        pruner: ChartPruner | None = None,
        signer: ChartSigner | None = None,
    ) -> None:
        self.messages = messages
        self.charts_dir = charts_dir
        self.public_url = public_url
        self._pruner = pruner
        self._signer = signer or ChartSigner("", 1)

    def compose(
        self,
        ind: Indicator,
        area: Area,
        resolution: Resolution,
        window: ObservationWindow,
        *,
        latest_end: date,
        today: date,
    ) -> IndicatorReply:
        """Value, coverage, notes, change, plan, source, staleness, demo label, chart and slot."""
        msg, period = self.messages, resolution.period
        agg = aggregate(ind, resolution.rows)  # NoData when the period has no figure
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
        lines.extend(self._notes(ind, resolution))
        if not (open_day and ind.aggregation == "sum"):  # half a day vs a full day misleads
            change = self._change(ind, period, agg, window)
            lines.extend([change] if change else [])
        if area.parent is None:
            lines.extend(self._plan(ind, period, agg, window))
        lines.append(msg.get("source", agency=ind.agency, as_of=agg.as_of))
        stale_after = P.GRAIN_DAYS[ind.periodicity] + _GRACE_DAYS[ind.periodicity]
        if (today - latest_end).days > stale_after:
            lines.append(
                msg.get(
                    "stale",
                    last_end=latest_end,
                    agency=ind.agency,
                    periodicity=msg.periodicity_names[ind.periodicity],
                )
            )
        if agg.is_demo:
            lines.append(msg.get("demo"))
        slot = {
            "code": ind.code,
            "period": (resolution.requested or period).as_slot(),
            "area": area.as_slot(),
        }
        return IndicatorReply(
            "\n".join(lines),
            fallback=False,
            domain=ind.domain,
            indicator_slot=slot,
            image=self._chart(ind, area, period, agg, window),
        )

    def _notes(self, ind: Indicator, resolution: Resolution) -> list[str]:
        msg, period = self.messages, resolution.period
        if resolution.note == "latest":
            return [msg.get("latest_note", period=msg.period(period))]
        if resolution.note == "coarse" and resolution.requested is not None:
            return [
                msg.get(
                    "coarse_note",
                    requested=msg.period(resolution.requested),
                    period=msg.period(period),
                    periodicity=msg.periodicity_names[ind.periodicity],
                )
            ]
        return []

    def _change(
        self, ind: Indicator, period: P.Period, agg: Aggregate, window: ObservationWindow
    ) -> str:
        # like for like: the covered part of the period, one year earlier
        before = P.Period(agg.first_start, agg.last_end, period.kind).year_earlier()
        rows = window.of(before)
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
        self, ind: Indicator, period: P.Period, agg: Aggregate, window: ObservationWindow
    ) -> list[str]:
        year = period.start.year
        target = ind.targets.get(year)
        if target is None or period.end.year != year:
            return []
        shown = format_value(target, ind)
        if ind.aggregation == "sum":  # yearly plan vs the cumulative total since 1 January
            ytd = aggregate(ind, window.inside(date(year, 1, 1), agg.last_end))
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
        self,
        ind: Indicator,
        area: Area,
        period: P.Period,
        agg: Aggregate,
        window: ObservationWindow,
    ) -> str | None:
        grain = _chart_grain(ind, period)
        current = P.buckets(grain, min(period.end, agg.last_end), _CHART_BUCKETS)
        previous = [p.year_earlier() for p in current]
        rows = window.inside(previous[0].start, current[-1].end)
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
        staff = ind.audience == "staff"
        if staff and not self._signer.enabled:
            logger.info(
                "staff chart of %s not linked: ASSISTANT_CHART_URL_SECRET is empty", ind.code
            )
            return None
        try:
            path = render_chart(spec, self.charts_dir, prefix=STAFF_PREFIX if staff else "")
        except OSError as exc:
            logger.warning("chart for %s not written: %s", ind.code, exc)
            return None
        if self._pruner is not None:
            self._pruner.written()
        url = f"{self.public_url}/charts/{path.name}"
        return f"{url}?{self._signer.query(path.name)}" if staff else url
