"""``bin/assistant privacy export|forget SENDER`` and ``privacy purge``: one person's data, and
retention, everywhere the assistant keeps it (docs/privacy.md).

Where personal data is kept (all of it redacted before it is stored):

- the Rasa tracker store: a SQL store configured under ``tracker_store.wrapped`` in
  ``endpoints.yml`` (table ``events``, by ``sender_id``); an in-memory store lives only in the
  Rasa process (bounded, gone at restart) and needs nothing here;
- Rasa's SQL event broker (``event_broker`` of type SQL in ``endpoints.yml``, the embedded
  default; table ``events``, by ``sender_id``) until the analytics consumer has written their
  turns; a RabbitMQ queue is drained by the consumer and holds nothing to delete;
- the analytics ``turns`` table (``ASSISTANT_DB_URL``): ``sender`` is a keyed hash of the sender
  id (key ``ASSISTANT_ANALYTICS_KEY`` or ``<var dir>/analytics.key``);
- the Zalo reply window and outbox (``ASSISTANT_DB_URL``), by Zalo user id (sender ``zalo:<id>``);
  processed Zalo event ids carry no personal data and are purged by age only.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, delete, select
from sqlalchemy.engine import URL, Engine

from analytics.consumer import sender_key
from analytics.schema import metadata as analytics_metadata
from analytics.schema import turns
from analytics.sources import broker_events, forget_sender_events
from channels.zalo_store import METADATA as ZALO_METADATA
from settings.defaults import REPO_ROOT, TRACKER_DB_NAME
from settings.services import Settings, settings_or_exit
from stores.sql import engine as sql_engine
from stores.sql import ensure_tables

__all__ = ["PrivacyStores", "events_db_url", "main", "tracker_db_url"]

_ZALO_OUTBOX = ZALO_METADATA.tables["zalo_outbox"]
_ZALO_WINDOW = ZALO_METADATA.tables["zalo_reply_window"]
_ZALO_EVENTS = ZALO_METADATA.tables["zalo_events"]
# the columns of Rasa's SQLTrackerStore table this command reads and deletes
_RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)


def _endpoints(endpoints: Path, variables: dict[str, str] | None) -> dict[str, Any]:
    """``endpoints.yml``, its ``${VAR}`` placeholders (Rasa expands them) filled in."""
    text = endpoints.read_text(encoding="utf-8")
    for name, value in (variables or {}).items():
        text = text.replace("${" + name + "}", value)
    config = yaml.safe_load(text) or {}
    return config if isinstance(config, dict) else {}


def tracker_db_url(endpoints: Path, variables: dict[str, str] | None = None) -> str | None:
    """The SQL URL of the tracker store wrapped in ``endpoints``; None when it is not SQL.

    ``${VAR}`` placeholders (Rasa expands them from its environment) are filled from
    ``variables``: the embedded default names ``${ASSISTANT_TRACKER_DB}``.
    """
    store = _endpoints(endpoints, variables).get("tracker_store") or {}
    wrapped = store.get("wrapped") if isinstance(store, dict) else None
    return _sql_url(wrapped if isinstance(wrapped, dict) else store, default_db="rasa.db")


def events_db_url(endpoints: Path, variables: dict[str, str] | None = None) -> str | None:
    """The SQL URL of the ``event_broker`` in ``endpoints``; None when it is not Rasa's SQL
    broker (the embedded default names ``${ASSISTANT_EVENTS_DB}``)."""
    return _sql_url(_endpoints(endpoints, variables).get("event_broker"), default_db="events.db")


def _sql_url(inner: Any, *, default_db: str) -> str | None:
    """The URL Rasa builds for a SQL tracker store or SQL event broker section."""
    if not isinstance(inner, dict) or str(inner.get("type", "")).lower() != "sql":
        return None
    database = str(inner.get("db") or default_db)
    dialect = str(inner.get("dialect") or "sqlite")
    if dialect == "sqlite" and not Path(database).is_absolute():
        database = str(REPO_ROOT / database)
    return URL.create(
        dialect,
        username=inner.get("username"),
        password=inner.get("password"),
        host=inner.get("url") or inner.get("host"),
        port=inner.get("port"),
        database=database,
    ).render_as_string(hide_password=False)


@dataclass
class PrivacyStores:
    """The databases that may hold one person's (redacted) data."""

    db: Engine
    trackers: Engine | None
    sender_key: bytes | None
    broker: Engine | None = None  # Rasa's SQL event broker, when configured

    @classmethod
    def open(cls, settings: Settings, *, endpoints: Path) -> PrivacyStores:
        """Connect to the services' database and the SQL tracker store (when configured)."""
        db = ensure_tables(settings.stores.db_url, analytics_metadata)
        ensure_tables(settings.stores.db_url, ZALO_METADATA)
        variables = {
            "ASSISTANT_TRACKER_DB": str(settings.paths.var_dir / TRACKER_DB_NAME),
            "ASSISTANT_EVENTS_DB": str(settings.analytics.events_db),
        }
        url = tracker_db_url(endpoints, variables)
        broker_url = events_db_url(endpoints, variables)
        return cls(
            db,
            sql_engine(url) if url else None,
            sender_key(settings, create=False),  # no key yet: no turn was written
            sql_engine(broker_url) if broker_url else None,
        )

    def _sender_hash(self, sender: str) -> str | None:
        if self.sender_key is None:
            return None
        return hmac.new(self.sender_key, sender.encode("utf-8"), hashlib.sha256).hexdigest()

    def _zalo_user(self, sender: str) -> str | None:
        return sender.split(":", 1)[1] if sender.startswith("zalo:") else None

    def export(self, sender: str) -> dict[str, Any]:
        """Everything kept about ``sender`` (a Rasa sender id such as ``tg:42``)."""
        found: dict[str, Any] = {
            "sender": sender,
            "tracker_events": [],
            "broker_events": [],
            "turns": [],
            "zalo": [],
        }
        found["tracker_events"] = _events_of(self.trackers, _RASA_EVENTS, sender)
        found["broker_events"] = _events_of(self.broker, broker_events, sender)
        hashed = self._sender_hash(sender)
        with self.db.connect() as conn:
            if hashed is not None:
                turn_rows = conn.execute(select(turns).where(turns.c.sender == hashed)).mappings()
                found["turns"] = [_jsonable(dict(row)) for row in turn_rows]
            user = self._zalo_user(sender)
            if user is not None:
                zalo_rows = conn.execute(
                    select(_ZALO_OUTBOX).where(_ZALO_OUTBOX.c.user_id == user)
                ).mappings()
                found["zalo"] = [_jsonable(dict(row)) for row in zalo_rows]
        return found

    def forget(self, sender: str) -> dict[str, int]:
        """Delete everything kept about ``sender``; how many rows went, per place."""
        counts = {
            "tracker_events": 0,
            "broker_events": 0,
            "turns": 0,
            "zalo_outbox": 0,
            "zalo_reply_window": 0,
        }
        if self.trackers is not None and _has_table(self.trackers, "events"):
            with self.trackers.begin() as conn:
                result = conn.execute(
                    delete(_RASA_EVENTS).where(_RASA_EVENTS.c.sender_id == sender)
                )
                counts["tracker_events"] = result.rowcount
        if self.broker is not None and _has_table(self.broker, "events"):
            counts["broker_events"] = forget_sender_events(self.broker, sender)
        hashed = self._sender_hash(sender)
        user = self._zalo_user(sender)
        with self.db.begin() as conn:
            if hashed is not None:
                counts["turns"] = conn.execute(
                    delete(turns).where(turns.c.sender == hashed)
                ).rowcount
            if user is not None:
                counts["zalo_outbox"] = conn.execute(
                    delete(_ZALO_OUTBOX).where(_ZALO_OUTBOX.c.user_id == user)
                ).rowcount
                counts["zalo_reply_window"] = conn.execute(
                    delete(_ZALO_WINDOW).where(_ZALO_WINDOW.c.user_id == user)
                ).rowcount
        return counts

    def purge(self, days: int, *, now: float | None = None) -> dict[str, int]:
        """Delete what is older than ``days`` days everywhere; how many rows went, per place."""
        cutoff = (time.time() if now is None else now) - days * 86400
        counts = {"tracker_events": 0, "turns": 0, "zalo_outbox": 0, "zalo_events": 0}
        if self.trackers is not None and _has_table(self.trackers, "events"):
            with self.trackers.begin() as conn:
                counts["tracker_events"] = conn.execute(
                    delete(_RASA_EVENTS).where(_RASA_EVENTS.c.timestamp < cutoff)
                ).rowcount
        cutoff_dt = datetime.fromtimestamp(cutoff, UTC)
        with self.db.begin() as conn:
            counts["turns"] = conn.execute(delete(turns).where(turns.c.ts < cutoff_dt)).rowcount
            counts["zalo_outbox"] = conn.execute(
                delete(_ZALO_OUTBOX).where(_ZALO_OUTBOX.c.created_at < cutoff)
            ).rowcount
            counts["zalo_events"] = conn.execute(
                delete(_ZALO_EVENTS).where(_ZALO_EVENTS.c.seen_at < cutoff)
            ).rowcount
        return counts


def _events_of(db: Engine | None, table: Table, sender: str) -> list[Any]:
    """``sender``'s events, oldest first, from a Rasa ``events`` table (tracker or broker)."""
    if db is None or not _has_table(db, "events"):
        return []
    with db.connect() as conn:
        rows = conn.execute(
            select(table.c.data).where(table.c.sender_id == sender).order_by(table.c.id)
        ).all()
    return [json.loads(row[0]) for row in rows]


def _has_table(engine: Engine, name: str) -> bool:
    from sqlalchemy import inspect

    return inspect(engine).has_table(name)


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def main(argv: list[str] | None = None) -> int:
    """``python -m stores.privacy export|forget SENDER`` / ``purge [--days N]``."""
    parser = argparse.ArgumentParser(
        prog="bin/assistant privacy",
        description="Dữ liệu cá nhân: xem, xóa theo người dùng; xóa dữ liệu quá hạn lưu trữ.",
    )
    parser.add_argument("--endpoints", type=Path, default=REPO_ROOT / "endpoints.yml")
    sub = parser.add_subparsers(dest="action", required=True)
    for name, help_text in (
        ("export", "in ra (JSON) mọi dữ liệu đang lưu về SENDER"),
        ("forget", "xóa mọi dữ liệu đang lưu về SENDER"),
    ):
        sub.add_parser(name, help=help_text).add_argument("sender", metavar="SENDER")
    purge = sub.add_parser("purge", help="xóa dữ liệu cũ hơn thời hạn lưu trữ")
    purge.add_argument("--days", type=int, default=None, help="mặc định ASSISTANT_RETENTION_DAYS")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    stores = PrivacyStores.open(settings, endpoints=args.endpoints)
    if args.action == "export":
        result: Any = stores.export(args.sender)
    elif args.action == "forget":
        result = stores.forget(args.sender)
    else:
        result = stores.purge(args.days or settings.stores.retention_days)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
