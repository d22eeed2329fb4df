"""The last good answer per (indicator, area, period), to answer with while the source is down.

Bounded (least recently used out) and aged out: an answer older than ``max_age_s`` is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ioc.cache import BoundedCache
from ioc.periods import Period
from ioc.reply import IndicatorReply

__all__ = ["LastGood", "LastGoodAnswers"]

_Key = tuple[str, str, Period | None]


@dataclass(frozen=True)
class LastGood:
    reply: IndicatorReply
    fetched_at: datetime  # when the source gave the figures of ``reply`` (local time)


class LastGoodAnswers:
    """Answers by indicator code, area code and the period asked (None: the latest)."""

    def __init__(self, *, max_items: int, max_age_s: float) -> None:
        self._cache: BoundedCache[_Key, LastGood] = BoundedCache(max_items, max_age_s)

    def __len__(self) -> int:
        return len(self._cache)

    def remember(self, code: str, area: str, period: Period | None, reply: IndicatorReply) -> None:
        """Keep ``reply``, a good answer just read from the source."""
        self._cache.put((code, area, period), LastGood(reply, datetime.now()))

    def recall(self, code: str, area: str, period: Period | None) -> LastGood | None:
        """The last good answer to the same question, if one is young enough."""
        return self._cache.get((code, area, period))
