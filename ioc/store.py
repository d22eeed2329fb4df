"""Observations in SQL through SQLAlchemy 2 (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import SQLAlchemyError

from ioc.errors import SourceUnavailable
from ioc.model import Observation

__all__ = ["SqlSource", "observations_table"]

logger = logging.getLogger(__name__)
_metadata = MetaData()
observations_table = Table(
    "ioc_observations",
    _metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("indicator", String(64), nullable=False),
    Column("area", String(64), nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float, nullable=False),
    Column("numerator", Float),
    Column("denominator", Float),
    Column("as_of", DateTime, nullable=False),
    Column("source", String(200), nullable=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    UniqueConstraint("indicator", "area", "period_start", "period_end", name="uq_observation"),
    Index("ix_observation_lookup", "indicator", "area", "period_end"),
)
_UPDATABLE = ("value", "numerator", "denominator", "as_of", "source", "is_demo")


def _engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))


def _row_to_observation(row: Row[Any]) -> Observation:
    m = row._mapping
    return Observation(
        indicator=m["indicator"],
        area=m["area"],
        period_start=m["period_start"],
        period_end=m["period_end"],
        value=m["value"],
        numerator=m["numerator"],
        denominator=m["denominator"],
        as_of=m["as_of"],
        source=m["source"],
        is_demo=m["is_demo"],
    )


class SqlSource:
    """Source over the ``ioc_observations`` table; also writes (seed, simulator)."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._engine = _engine(url)
            _metadata.create_all(self._engine)
        except SQLAlchemyError as exc:
            raise SourceUnavailable(
                f"cannot open IOC database {url!r} ({exc}); check ASSISTANT_IOC_DB_URL"
            ) from exc

    def upsert(self, observations: Iterable[Observation], *, batch: int = 5000) -> int:
        """Insert or update observations (key: indicator, area, period); return the count."""
        dialect = self._engine.dialect.name
        insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
        if insert is None:
            raise SourceUnavailable(
                f"database dialect {dialect!r} unsupported; use sqlite or postgresql"
            )
        rows = [{k: v for k, v in o.__dict__.items()} for o in observations]
        with self._engine.begin() as conn:
            for i in range(0, len(rows), batch):
                stmt: Any = insert(observations_table)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["indicator", "area", "period_start", "period_end"],
                    set_={k: getattr(stmt.excluded, k) for k in _UPDATABLE},
                )
                conn.execute(stmt, rows[i : i + batch])
        return len(rows)

    def count(self) -> int:
        with self._engine.connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(observations_table)).scalar_one()
            )

    def observations(
        self, indicator: str, area: str, start: date, end: date, *, as_of_before: datetime
    ) -> list[Observation]:
        t = observations_table
        query = (
            select(t)
            .where(t.c.indicator == indicator, t.c.area == area)
            .where(t.c.period_start >= start, t.c.period_end <= end, t.c.as_of <= as_of_before)
            .order_by(t.c.period_start)
        )
        return [_row_to_observation(r) for r in self._run(query)]

    def latest(self, indicator: str, area: str, *, as_of_before: datetime) -> Observation | None:
        t = observations_table
        query = (
            select(t)
            .where(t.c.indicator == indicator, t.c.area == area, t.c.as_of <= as_of_before)
            .order_by(t.c.period_end.desc())
            .limit(1)
        )
        rows = self._run(query)
        return _row_to_observation(rows[0]) if rows else None

    def _run(self, query: Any) -> list[Any]:
        try:
            with self._engine.connect() as conn:
                return list(conn.execute(query))
        except SQLAlchemyError as exc:
            logger.warning("IOC database query failed: %s", exc)
            raise SourceUnavailable(
                f"IOC database {self.url!r} query failed; check it is reachable"
            ) from exc
