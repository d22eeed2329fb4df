"""Statistics over the turn records: questions per day / domain / channel, decision rates, 👍/👎."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from analytics.schema import turns
from inbox.feedback import apply_pending

__all__ = ["Statistics", "statistics"]


@dataclass(frozen=True)
class Statistics:
    since: date
    until: date
    total: int
    per_day: tuple[tuple[date, int], ...]  # every day of the window, zeros included
    per_domain: tuple[tuple[str, int], ...]  # most asked first ("" = no domain)
    per_channel: tuple[tuple[str, int], ...]
    decisions: dict[str, int] = field(default_factory=dict)  # decision -> turns
    thumbs_up: int = 0
    thumbs_down: int = 0

    def rate(self, decision: str) -> float:
        """Share of the window's turns with this decision (0 when there were none)."""
        return self.decisions.get(decision, 0) / self.total if self.total else 0.0

    @property
    def thumbs_up_share(self) -> float | None:
        votes = self.thumbs_up + self.thumbs_down
        return self.thumbs_up / votes if votes else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def statistics(engine: Engine, *, days: int = 30, now: datetime | None = None) -> Statistics:
    """Counts over the last ``days`` days (UTC days; today included)."""
    apply_pending(engine)
    now = now or datetime.now(UTC)
    until = now.date()
    since = until - timedelta(days=days - 1)
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    query = select(
        turns.c.ts,
        turns.c.channel,
        turns.c.domain,
        turns.c.guessed_domain,
        turns.c.decision,
        turns.c.feedback,
    ).where(turns.c.ts >= start)
    per_day: Counter[date] = Counter()
    per_domain: Counter[str] = Counter()
    per_channel: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    up = down = 0
    with engine.connect() as conn:
        for row in conn.execute(query):
            per_day[_aware(row.ts).date()] += 1
            per_domain[row.domain or row.guessed_domain or ""] += 1
            per_channel[row.channel] += 1
            decisions[row.decision] += 1
            up += 1 if row.feedback == 1 else 0
            down += 1 if row.feedback == -1 else 0
    return Statistics(
        since=since,
        until=until,
        total=sum(decisions.values()),
        per_day=tuple(
            (since + timedelta(days=i), per_day[since + timedelta(days=i)]) for i in range(days)
        ),
        per_domain=tuple(per_domain.most_common()),
        per_channel=tuple(per_channel.most_common()),
        decisions=dict(decisions),
        thumbs_up=up,
        thumbs_down=down,
    )
