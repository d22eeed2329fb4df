"""Where Rasa's events come from: the SQL event broker's table, or a RabbitMQ queue.

Both give ``(position, event)`` batches in stream order and a way to say "everything up to this
position is written" (:meth:`commit`): the SQL source stores the position in the analytics
database, the RabbitMQ source acknowledges the messages. A crash replays from the last commit;
the turn ids make the replay harmless.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import BigInteger, Column, MetaData, String, Table, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import stores
from stores import StoreUnavailable

__all__ = ["EventSource", "RabbitEvents", "SqlEvents", "offsets_metadata"]

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
    """Rasa's SQL event broker (``events`` table: id, sender_id, data), read incrementally."""

    def __init__(self, events_db: Path, state: Engine, *, batch: int = 500) -> None:
        self.name = f"sql:{events_db}"[-200:]  # the position is kept per events file
        self._events = stores.engine(f"sqlite:///{events_db}")
        self._state = state
        self._batch = batch
        self._cursor = self._saved()

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
                    self._cursor = 0
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
