"""The consumer on Rasa's SQL event broker (a real SQLite file): consumed rows are deleted.

The consumer's own database (turns + position) is a real SQLite file or the machine's
PostgreSQL; a crash at any point between writing turns and deleting rows neither doubles nor
loses a turn.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import stores
from analytics.consumer import Consumer
from analytics.schema import turns
from analytics.sources import SqlEvents, forget_sender_events, offsets_metadata
from settings.services import Settings, load_settings
from tests.analytics.rasa_events import (
    broker_row_ids,
    create_broker_table,
    faq_answer_turn,
    greeting_turn,
    publish_events,
    session_start,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
KEY = "sql-test-key"
TS = 1_770_000_000.0


def _settings(tmp_path: Path, db_url: str, *, keep_rows: int = 1) -> Settings:
    return load_settings(
        {
            "ASSISTANT_VAR_DIR": str(tmp_path),
            "ASSISTANT_DB_URL": db_url,
            "ASSISTANT_EVENTS_SOURCE": "sql",
            "ASSISTANT_EVENTS_DB": str(tmp_path / "rasa_events.sqlite3"),
            "ASSISTANT_EVENTS_KEEP_ROWS": str(keep_rows),
            "ASSISTANT_ANALYTICS_KEY": KEY,
        }
    )


def _hash(sender: str) -> str:
    return hmac.new(KEY.encode(), sender.encode(), hashlib.sha256).hexdigest()


def _turn_texts(consumer: Consumer, senders: list[str]) -> list[str]:
    """Every turn row of these senders (duplicates would show twice), oldest first."""
    with consumer.db.connect() as conn:
        rows = conn.execute(
            select(turns.c.text)
            .where(turns.c.sender.in_([_hash(s) for s in senders]))
            .order_by(turns.c.ts)
        ).all()
    return [row.text for row in rows]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return PG_URL if request.param == "postgresql" else f"sqlite:///{tmp_path / 'state.sqlite3'}"


def test_consumed_rows_are_deleted_and_unread_or_unfinished_rows_stay(
    tmp_path: Path, db_url: str
) -> None:
    settings = _settings(tmp_path, db_url)
    events_db = settings.analytics.events_db
    create_broker_table(events_db)
    a, b, c = (f"s-{uuid.uuid4().hex}" for _ in range(3))
    done = publish_events(events_db, session_start(a, TS) + faq_answer_turn(a, TS + 1, "câu một"))
    # b's turn has not ended yet (no action_listen): its rows are read but not written
    unfinished = publish_events(events_db, greeting_turn(b, TS + 2)[:-1])
    unread = publish_events(events_db, greeting_turn(c, TS + 3))

    batch = len(done) + len(unfinished)
    state = stores.ensure_tables(db_url, offsets_metadata)
    consumer = Consumer(settings, source=SqlEvents(events_db, state, batch=batch))
    assert consumer.step(wait_s=0) == batch
    assert _turn_texts(consumer, [a, b, c]) == ["câu một"]
    assert broker_row_ids(events_db) == unfinished + unread  # only a's turn went

    assert consumer.run(once=True) == 3  # b ends by the time-out; c is read and ends
    assert _turn_texts(consumer, [a, b, c]) == ["câu một", "xin chào", "xin chào"]
    # the newest row stays, so SQLite never hands out an id the position has passed
    assert broker_row_ids(events_db) == unread[-1:]
    [next_id] = publish_events(events_db, greeting_turn(a, TS + 4)[:1])
    assert next_id == unread[-1] + 1


@pytest.mark.parametrize("crash_in", ["commit", "prune"])
def test_a_crash_between_writing_turns_and_deleting_rows_neither_doubles_nor_loses(
    tmp_path: Path, db_url: str, crash_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path, db_url)
    events_db = settings.analytics.events_db
    create_broker_table(events_db)
    a, b = (f"s-{uuid.uuid4().hex}" for _ in range(2))
    first = publish_events(
        events_db, faq_answer_turn(a, TS, "trước sự cố") + greeting_turn(b, TS + 1)
    )

    # the process dies after the turns are committed: before its position is saved
    # ("commit"), or after the position is saved but before the rows are deleted ("prune")
    original = getattr(SqlEvents, crash_in)

    def crash(self: SqlEvents, *args: Any) -> Any:
        if crash_in == "commit" or self._committed > self._pruned:
            raise RuntimeError("killed")
        return original(self, *args)

    monkeypatch.setattr(SqlEvents, crash_in, crash)
    crashed = Consumer(settings)
    with pytest.raises(RuntimeError, match="killed"):
        crashed.step(wait_s=0)
    assert _turn_texts(crashed, [a, b]) == ["trước sự cố", "xin chào"]
    assert broker_row_ids(events_db) == first  # nothing deleted yet
    monkeypatch.undo()

    second = publish_events(events_db, faq_answer_turn(a, TS + 2, "sau sự cố"))
    restarted = Consumer(settings)
    assert restarted.run(once=True) == 1  # the replayed turns are skipped, the new one written
    assert _turn_texts(restarted, [a, b]) == ["trước sự cố", "xin chào", "sau sự cố"]
    assert broker_row_ids(events_db) == second[-1:]


def test_a_retention_window_keeps_the_newest_consumed_rows(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'state.sqlite3'}", keep_rows=3)
    events_db = settings.analytics.events_db
    create_broker_table(events_db)
    sender = f"s-{uuid.uuid4().hex}"
    ids = publish_events(events_db, greeting_turn(sender, TS) + greeting_turn(sender, TS + 1))
    assert Consumer(settings).run(once=True) == 2
    assert broker_row_ids(events_db) == ids[-3:]
    with pytest.raises(ValueError, match="at least 1"):
        SqlEvents(events_db, stores.engine(settings.stores.db_url), keep_rows=0)


def test_rows_forgotten_before_they_are_read_leave_no_turn_and_no_gap(tmp_path: Path) -> None:
    settings = _settings(tmp_path, f"sqlite:///{tmp_path / 'state.sqlite3'}")
    events_db = settings.analytics.events_db
    create_broker_table(events_db)
    kept, forgotten = (f"s-{uuid.uuid4().hex}" for _ in range(2))
    publish_events(events_db, greeting_turn(kept, TS) + greeting_turn(forgotten, TS + 1))
    consumer = Consumer(settings)
    assert forget_sender_events(stores.engine(f"sqlite:///{events_db}"), forgotten) == 4
    assert consumer.run(once=True) == 1
    assert _turn_texts(consumer, [kept, forgotten]) == ["xin chào"]
    [newest] = broker_row_ids(events_db)  # the forgotten newest row, blanked, keeps its id taken
    [next_id] = publish_events(events_db, greeting_turn(kept, TS + 2)[:1])
    assert next_id == newest + 1
