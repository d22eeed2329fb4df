"""Where Rasa's events come from: the SQL event broker's table, or a RabbitMQ queue.

Both give ``(position, event)`` batches in stream order and a way to say "everything up to this
position is written" (:meth:`commit`): the SQL source stores the position in the analytics
database, the RabbitMQ source acknowledges the messages. A crash replays from the last commit;
the turn ids make the replay harmless. Both sources then forget what was committed: RabbitMQ
drops acknowledged messages, and the SQL source deletes the broker rows up to the committed
position (:meth:`SqlEvents.prune`), so the embedded default's events file stops growing.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import stores
from stores import StoreUnavailable

__all__ = [
    "EventSource",
    "RabbitEvents",
    "SqlEvents",
    "broker_events",
    "forget_sender_events",
    "offsets_metadata",
]

logger = logging.getLogger(__name__)

Batch = list[tuple[int, dict[str, Any]]]

offsets_metadata = MetaData()
# the consumer's own state: how far each source has been written (SQL source only)
offsets = Table(
    "analytics_offsets",
    offsets_metadata,
    Column("source", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Rasa's SQL event broker table (rasa.core.brokers.sql.SQLEventBroker): Rasa creates it
broker_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def forget_sender_events(engine: Engine, sender_id: str) -> int:
    """Remove one sender's rows from the SQL broker's table; how many rows held them.

    The table's newest row is blanked rather than deleted (no sender, data ``{}``, which the
    consumer skips): deleting it would let SQLite reuse its id behind the consumer's position.
    """
    table = broker_events
    newest = select(func.max(table.c.id)).scalar_subquery()
    with engine.begin() as conn:
        deleted = conn.execute(
            delete(table).where(table.c.sender_id == sender_id, table.c.id < newest)
        ).rowcount
        blanked = conn.execute(
            update(table).where(table.c.sender_id == sender_id).values(sender_id=None, data="{}")
        ).rowcount
    return int(deleted or 0) + int(blanked or 0)


class EventSource(Protocol):
    name: str

    def read(self, *, wait_s: float) -> Batch:
        """The next events (possibly none after waiting up to ``wait_s``)."""

    def commit(self, position: int) -> None:
        """Every event up to ``position`` is written; never deliver them again."""

    def close(self) -> None: ...


def _parse(raw: Any, sender_id: str | None = None) -> dict[str, Any]:
    """The event, or ``{}`` (skipped, but its position still counts as read)."""
    try:
        event = json.loads(raw)
    except (TypeError, ValueError):
        logger.warning("skipping an event that is not JSON")
        return {}
    if not isinstance(event, dict):
        return {}
    if sender_id and not event.get("sender_id"):
        event["sender_id"] = sender_id
    return event


class SqlEvents:
    """Rasa's SQL event broker (``events`` table: id, sender_id, data), read incrementally.

    Committed rows are deleted (:meth:`prune`) except the newest ``keep_rows`` of the table: the
    newest row always stays, because SQLite gives a new row ``max(id) + 1`` and would otherwise
    hand out ids the cursor has already passed. Rasa's SQL broker on SQLite commits each event
    alone under the database's single write lock, so ids become visible in order and every row
    at or below a committed position has been read. One consumer database per events file: a
    second one would find rows it never read already deleted.
    """

    def __init__(
        self, events_db: Path, state: Engine, *, batch: int = 500, keep_rows: int = 1
    ) -> None:
        if keep_rows < 1:
            raise ValueError(f"keep_rows must be at least 1, not {keep_rows}")
        self.name = f"sql:{events_db}"[-200:]  # the position is kept per events file
        self._events = stores.engine(f"sqlite:///{events_db}")
        self._state = state
        self._batch = batch
        self._keep_rows = keep_rows
        self._committed = self._saved()  # every row up to here has its turn written
        self._cursor = self._committed  # every row up to here has been read
        self._pruned = 0  # rows up to here are deleted (0: not yet in this process)

    def _saved(self) -> int:
        with self._state.connect() as conn:
            found = conn.execute(
                select(offsets.c.position).where(offsets.c.source == self.name)
            ).scalar()
        return int(found or 0)

    def read(self, *, wait_s: float) -> Batch:
        try:
            if not inspect(self._events).has_table("events"):
                return []  # Rasa has not published anything yet
            with self._events.connect() as conn:
                top = conn.execute(text("SELECT max(id) FROM events")).scalar() or 0
            if top < self._cursor:  # a new events file: start again from its beginning
                logger.warning("events table restarted (max id %d < %d)", top, self._cursor)
                self._cursor = self._committed = self._pruned = 0
            self.prune()  # what a previous run committed but did not delete
            with self._events.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT id, sender_id, data FROM events WHERE id > :pos "
                        "ORDER BY id LIMIT :n"
                    ),
                    {"pos": self._cursor, "n": self._batch},
                ).all()
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"Rasa's events database {self.name}: {exc}") from exc
        batch: Batch = []
        for row_id, sender_id, data in rows:
            self._cursor = int(row_id)
            batch.append((int(row_id), _parse(data, sender_id)))
        return batch

    def commit(self, position: int) -> None:
        with self._state.begin() as conn:
            updated = conn.execute(
                offsets.update().where(offsets.c.source == self.name).values(position=position)
            ).rowcount
            if not updated:
                conn.execute(offsets.insert().values(source=self.name, position=position))
        self._committed = position
        self.prune()

    def prune(self) -> int:
        """Delete the committed broker rows but the newest ``keep_rows``; how many went.

        Runs after the position is saved, so a crash before it only leaves rows for the next
        run to delete; a failure (Rasa holding the write lock too long) is retried later.
        """
        if self._committed <= self._pruned:
            return 0
        try:
            with self._events.begin() as conn:
                deleted = conn.execute(
                    text(
                        "DELETE FROM events WHERE id <= :pos "
                        "AND id <= (SELECT max(id) FROM events) - :keep"
                    ),
                    {"pos": self._committed, "keep": self._keep_rows},
                ).rowcount
        except SQLAlchemyError as exc:
            logger.warning("could not delete consumed events from %s: %s", self.name, exc)
            return 0
        self._pruned = self._committed
        return int(deleted or 0)

    def close(self) -> None:
        """Nothing to close: the engines are the process's shared ones."""


class RabbitEvents:
    """A RabbitMQ queue that Rasa's Pika event broker publishes to (declared durable as Rasa does).

    Positions are the channel's delivery tags; :meth:`commit` acknowledges up to one.
    """

    def __init__(self, url: str, queue: str, *, prefetch: int = 5000) -> None:
        import pika
        from pika.exceptions import AMQPError

        self.name = f"rabbitmq:{queue}"
        self._queue = queue
        try:
            self._connection = pika.BlockingConnection(pika.URLParameters(url))
            self._channel = self._connection.channel()
            self._channel.queue_declare(queue=queue, durable=True)
            self._channel.basic_qos(prefetch_count=prefetch)
        except AMQPError as exc:
            where = url.rsplit("@", 1)[-1]
            raise StoreUnavailable(
                f"RabbitMQ at {where} (ASSISTANT_RABBITMQ_URL) is unreachable: {exc!r}"
            ) from exc
        self._acked = 0
        self._messages = self._channel.consume(queue, inactivity_timeout=0.05)

    def read(self, *, wait_s: float) -> Batch:
        batch: Batch = []
        idle_s = 0.0
        while len(batch) < 500 and idle_s < wait_s:
            method, _properties, body = next(self._messages)
            if method is None:
                if batch:
                    break  # the queue is drained for now: hand over what we have
                idle_s += 0.05
                continue
            batch.append((int(method.delivery_tag), _parse(body)))
        return batch

    def commit(self, position: int) -> None:
        if position > self._acked:
            self._channel.basic_ack(delivery_tag=position, multiple=True)
            self._acked = position

    def close(self) -> None:
        from pika.exceptions import AMQPError

        try:
            self._channel.cancel()
            self._connection.close()
        except (AMQPError, OSError) as exc:  # a broken connection: nothing left to save
            logger.debug("closing RabbitMQ: %s", exc)
