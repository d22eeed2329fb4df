"""The analytics consumer: Rasa's events → :data:`analytics.schema.turns` rows.

Reads the SQL event broker's file (embedded default) or a RabbitMQ queue (production), builds
one row per user turn (:mod:`analytics.turns`) and writes it once: ``turn_id`` is unique and a
replayed turn is skipped, so a restart or a second consumer never doubles a row. What is written
is then dropped from the source (SQL broker rows deleted, RabbitMQ messages acknowledged).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any, Literal, overload

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

import stores
from actions.identity import resolve_role
from analytics.schema import TurnRecord, metadata, turns
from analytics.sources import EventSource, RabbitEvents, SqlEvents, offsets_metadata
from analytics.turns import TurnAssembler
from settings.services import Settings

__all__ = ["Consumer", "open_source", "sender_key", "write_turns"]

logger = logging.getLogger(__name__)


@overload
def sender_key(settings: Settings, *, create: Literal[True] = ...) -> bytes: ...
@overload
def sender_key(settings: Settings, *, create: bool) -> bytes | None: ...


def sender_key(settings: Settings, *, create: bool = True) -> bytes | None:
    """The sender-hash key: the setting, else a random key kept in the var dir (mode 0600).

    ``create=False`` (readers such as ``privacy``): None instead of creating a missing key file.
    """
    if settings.analytics.sender_key:
        return settings.analytics.sender_key.encode("utf-8")
    path = settings.paths.var_dir / "analytics.key"
    if not path.is_file():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another consumer created it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip().encode("ascii")


def write_turns(engine: Engine, records: Sequence[TurnRecord]) -> int:
    """Insert the records, skipping turn ids already written; return how many were new."""
    if not records:
        return 0
    rows = [{**asdict(r), "suggestions": list(r.suggestions)} for r in records]
    dialect = engine.dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(turns).on_conflict_do_nothing(index_elements=["turn_id"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(turns).on_conflict_do_nothing(index_elements=["turn_id"])
    else:  # pragma: no cover - the two supported databases are above
        raise stores.StoreUnavailable(f"analytics needs SQLite or PostgreSQL, not {dialect}")
    with engine.begin() as conn:  # RETURNING counts the new rows on both databases
        return len(conn.execute(stmt.returning(turns.c.turn_id), rows).all())


def open_source(settings: Settings, state: Engine) -> EventSource:
    """The configured event source (``ASSISTANT_EVENTS_SOURCE``)."""
    conf = settings.analytics
    if conf.source == "rabbitmq":
        return RabbitEvents(conf.rabbitmq_url, conf.events_queue)
    return SqlEvents(conf.events_db, state, keep_rows=conf.events_keep_rows)


class Consumer:
    """Read → assemble → write → commit, until stopped (or once through the backlog)."""

    def __init__(self, settings: Settings, source: EventSource | None = None) -> None:
        self.settings = settings
        self.db = stores.ensure_tables(settings.stores.db_url, metadata)
        stores.ensure_tables(settings.stores.db_url, offsets_metadata)
        self.source = source or open_source(settings, self.db)
        key = sender_key(settings)
        identity = settings.identity

        def hash_sender(sender_id: str) -> str:
            return hmac.new(key, sender_id.encode("utf-8"), hashlib.sha256).hexdigest()

        def role_of(user_metadata: Mapping[str, Any], sender_id: str, ts: float) -> str:
            # a claim counts only in the conversation it was minted for
            return resolve_role(user_metadata, sender_id, identity, now=ts or None)

        self.assembler = TurnAssembler(hash_sender=hash_sender, role_of=role_of)
        self.written = 0
        self._last_read: int | None = None
        self._stop = threading.Event()

    def step(self, *, wait_s: float) -> int:
        """One batch: returns how many events were read."""
        batch = self.source.read(wait_s=wait_s)
        records: list[TurnRecord] = []
        last = None
        for position, event in batch:
            records.extend(self.assembler.feed(event, position))
            last = position
        timeout_s = self.settings.analytics.turn_timeout_s
        records.extend(self.assembler.expire(older_than_s=timeout_s))
        self._flush(records, last)
        return len(batch)

    def _flush(self, records: list[TurnRecord], last: int | None) -> None:
        self.written += write_turns(self.db, records)
        if last is not None:
            self._last_read = last
        if self._last_read is not None:
            self.source.commit(self.assembler.safe_position(self._last_read))

    def run(self, *, once: bool = False) -> int:
        """Consume until :meth:`stop` (``once``: until nothing is left, then write every turn)."""
        poll_s = self.settings.analytics.poll_s
        logger.info("analytics consumer reading %s", self.source.name)
        try:
            while not self._stop.is_set():
                read = self.step(wait_s=poll_s)
                if once and not read:
                    self._flush(self.assembler.expire(older_than_s=0), None)
                    break
                if not read and isinstance(self.source, SqlEvents):
                    self._stop.wait(poll_s)
        finally:
            self.source.close()
        return self.written

    def stop(self) -> None:
        self._stop.set()
