"""RedactingTrackerStore: personal data never reaches the wrapped store; memory is bounded."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from assistant.tracker_store import RedactingTrackerStore
from settings.defaults import REPO_ROOT

PERSONAL = "cccd 079123456789, sđt 0912 345 678, email an.nguyen@gmail.com"


def _tracker(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, [])
    parse_data: dict[str, Any] = {
        "intent": {"name": "ask_faq", "confidence": 0.9},
        "entities": [{"entity": "phone", "value": "0912 345 678", "start": 0, "end": 12}],
        "text": PERSONAL,
    }
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(PERSONAL, parse_data["intent"], parse_data["entities"], parse_data))
    tracker.update(BotUttered(f"Bạn đã gửi {PERSONAL}"))
    return tracker


def _save(store: RedactingTrackerStore, sender: str) -> DialogueStateTracker | None:
    async def run() -> DialogueStateTracker | None:
        await store.save(_tracker(sender))
        return await store.retrieve(sender)

    return asyncio.run(run())


def _assert_redacted(text: str) -> None:
    for raw in ("079123456789", "0912 345 678", "an.nguyen@gmail.com"):
        assert raw not in text


def test_in_memory_store_keeps_only_redacted_text() -> None:
    store = RedactingTrackerStore(Domain.empty())
    found = _save(store, "web-1")
    assert found is not None
    user = next(e for e in found.events if isinstance(e, UserUttered))
    assert user.text == "cccd <id>, sđt <phone>, email <email>"
    assert user.intent_name == "ask_faq"
    assert isinstance(store._inner, InMemoryTrackerStore)
    _assert_redacted(str(store._inner.store))


def test_wrapped_sql_store_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "trackers.db"
    store = RedactingTrackerStore(
        Domain.empty(), wrapped={"type": "sql", "dialect": "sqlite", "db": str(db)}
    )
    assert isinstance(store._inner, SQLTrackerStore)
    found = _save(store, "tg:42")
    assert found is not None
    assert [e.text for e in found.events if isinstance(e, BotUttered)] == [
        "Bạn đã gửi cccd <id>, sđt <phone>, email <email>"
    ]
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT data FROM events").fetchall()
    assert rows
    _assert_redacted(" ".join(row[0] for row in rows))


def test_in_memory_conversations_are_bounded_least_recent_first() -> None:
    store = RedactingTrackerStore(Domain.empty(), max_conversations="3")
    for sender in ("a", "b", "c", "a", "d"):
        _save(store, sender)
    keys = asyncio.run(store.keys())
    assert sorted(keys) == ["a", "c", "d"]


def test_domain_is_forwarded_to_the_wrapped_store() -> None:
    store = RedactingTrackerStore(None)
    domain = Domain.from_dict({"intents": ["greet"]})
    store.domain = domain
    assert store._inner.domain is domain


def test_the_repository_endpoints_configure_the_wrapper(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
    from rasa.core.utils import read_endpoints_from_path

    monkeypatch.setenv("ASSISTANT_ACTIONS_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("ASSISTANT_ACTIONS_TOKEN", "test-token")
    monkeypatch.setenv("ASSISTANT_MAX_LIVE_CONVERSATIONS", "7")
    monkeypatch.setenv("ASSISTANT_TRACKER_DB", str(tmp_path / "trackers.sqlite3"))
    monkeypatch.setenv("ASSISTANT_EVENTS_DB", str(tmp_path / "events.sqlite3"))
    endpoints = read_endpoints_from_path(str(REPO_ROOT / "endpoints.yml"))
    store = TrackerStore.create(endpoints.tracker_store)
    assert isinstance(store, RedactingTrackerStore)
    assert store._max_conversations == 7
    # the embedded default keeps conversations in Rasa's SQL store (they survive a restart)
    assert isinstance(store._inner, SQLTrackerStore)


def _turn(tracker: DialogueStateTracker, text: str) -> None:
    tracker.update(UserUttered(text, {"name": "ask_faq", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_answer_faq"))
    tracker.update(BotUttered(f"Trả lời: {text}"))
    tracker.update(ActionExecuted("action_listen"))


def _broker_rows(db: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT data FROM events ORDER BY id").fetchall()
    return [json.loads(row[0]) for row in rows]


def test_each_event_is_streamed_once_and_redacted(tmp_path: Path) -> None:
    from rasa.core.brokers.sql import SQLEventBroker

    broker_db, tracker_db = tmp_path / "events.db", tmp_path / "trackers.db"
    wrapped = {"type": "sql", "dialect": "sqlite", "db": str(tracker_db)}

    async def conversation() -> int:
        broker = SQLEventBroker(db=str(broker_db))
        store = RedactingTrackerStore(Domain.empty(), event_broker=broker, wrapped=wrapped)
        texts = ["xin chào", f"số của tôi {PERSONAL}", "cảm ơn"]
        for text in texts:  # as Rasa runs a turn: retrieve (or create), add events, save
            tracker = await store.retrieve("web-7") or DialogueStateTracker("web-7", [])
            _turn(tracker, text)
            await store.save(tracker)
        # a second process on the same files (another replica): no retrieve before its save
        other = RedactingTrackerStore(
            Domain.empty(), event_broker=SQLEventBroker(db=str(broker_db)), wrapped=wrapped
        )
        tracker = await store.retrieve("web-7")
        assert tracker is not None
        _turn(tracker, f"gọi {PERSONAL}")
        await other.save(tracker)
        return len(tracker.events)

    total = asyncio.run(conversation())
    rows = _broker_rows(broker_db)
    assert len(rows) == total == 16  # every event once, none twice
    assert [row["event"] for row in rows[:4]] == ["user", "action", "bot", "action"]
    assert next(row["text"] for row in rows if row["event"] == "user") == "xin chào"
    _assert_redacted(json.dumps(rows, ensure_ascii=False))
    with sqlite3.connect(tracker_db) as conn:
        stored = " ".join(row[0] for row in conn.execute("SELECT data FROM events"))
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 16
    _assert_redacted(stored)


def test_sqlite_files_get_kept_connections_in_wal_mode(tmp_path: Path) -> None:
    from rasa.core.brokers.sql import SQLEventBroker
    from sqlalchemy.pool import QueuePool

    broker = SQLEventBroker(db=str(tmp_path / "events.db"))
    store = RedactingTrackerStore(
        Domain.empty(),
        event_broker=broker,
        wrapped={"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "trackers.db")},
    )
    _save(store, "web-8")
    for name, engine in (("trackers.db", store._inner.engine), ("events.db", broker.engine)):
        assert isinstance(engine.pool, QueuePool)
        with sqlite3.connect(tmp_path / name) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_recent_trackers_are_reused_only_while_the_store_holds_them(tmp_path: Path) -> None:
    from rasa.shared.core.events import SessionStarted

    wrapped = {"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
    domain = Domain.from_dict({"intents": ["ask_faq"]})

    def as_dicts(tracker: DialogueStateTracker | None) -> list[dict[str, Any]]:
        assert tracker is not None
        return [event.as_dict() for event in tracker.events]

    async def run() -> None:
        store = RedactingTrackerStore(domain, wrapped=wrapped)
        replica = RedactingTrackerStore(domain, wrapped=wrapped)  # another process, same db
        new = DialogueStateTracker("web-9", domain.slots)
        new.update(ActionExecuted("action_session_start"))
        new.update(SessionStarted())
        _turn(new, "câu một")
        await store.save(new)
        # a new conversation is not kept as created: the store loads from SessionStarted on
        second = await store.retrieve("web-9")
        assert second is not None
        assert second is not new
        _turn(second, "câu hai")
        await store.save(second)
        third = await store.retrieve("web-9")
        assert third is second  # kept: no load
        assert as_dicts(third) == as_dicts(await replica.retrieve("web-9"))
        # a turn that fails before saving leaves nothing behind
        _turn(third, "câu ba chưa lưu")
        fourth = await store.retrieve("web-9")
        assert fourth is not third
        assert as_dicts(fourth) == as_dicts(second)[: len(as_dicts(fourth))]
        assert len(fourth.events) == 9
        await store.save(fourth)  # kept again
        # another replica answers a turn: the kept tracker is stale and is not used
        elsewhere = await replica.retrieve("web-9")
        assert elsewhere is not None
        _turn(elsewhere, "câu bốn ở bản sao khác")
        await replica.save(elsewhere)
        fresh = await store.retrieve("web-9")
        assert as_dicts(fresh) == as_dicts(elsewhere)
        # the conversation is deleted (privacy forget): nothing comes back
        await store.save(fresh)
        with sqlite3.connect(tmp_path / "trackers.db") as conn:
            conn.execute("DELETE FROM events WHERE sender_id = 'web-9'")
        assert await store.retrieve("web-9") is None

    asyncio.run(run())


def test_rows_are_the_ones_rasa_writes(tmp_path: Path) -> None:
    from rasa.shared.core.events import SessionStarted, SlotSet

    slots = {"last_text": {"type": "text", "mappings": [{"type": "custom"}]}}
    domain = Domain.from_dict({"intents": ["ask_faq"], "slots": slots})
    ours = RedactingTrackerStore(
        domain, wrapped={"type": "sql", "dialect": "sqlite", "db": str(tmp_path / "ours.db")}
    )
    rasa = SQLTrackerStore(domain, db=str(tmp_path / "rasa.db"))

    def turn(tracker: DialogueStateTracker, text: str, at: float) -> None:
        tracker.update(UserUttered(text, {"name": "ask_faq", "confidence": 0.9}, timestamp=at))
        tracker.update(ActionExecuted("action_answer_faq", timestamp=at + 0.1))
        tracker.update(SlotSet("last_text", text, timestamp=at + 0.2))
        tracker.update(BotUttered(f"Trả lời: {text}", timestamp=at + 0.3))
        tracker.update(ActionExecuted("action_listen", timestamp=at + 0.4))

    async def run() -> None:
        for store in (ours, rasa):
            tracker = DialogueStateTracker("web-10", domain.slots)
            tracker.update(ActionExecuted("action_session_start", timestamp=1.0))
            tracker.update(SessionStarted(timestamp=1.1))
            for n, text in enumerate(("xin chào", "làm cccd ở đâu", "cảm ơn")):
                turn(tracker, text, 10.0 * (n + 1))
                await store.save(tracker)
                tracker = await store.retrieve("web-10") or tracker

    asyncio.run(run())
    columns = "sender_id, type_name, timestamp, intent_name, action_name, data"
    found = []
    for name in ("ours.db", "rasa.db"):
        with sqlite3.connect(tmp_path / name) as conn:
            found.append(conn.execute(f"SELECT {columns} FROM events ORDER BY id").fetchall())
    assert len(found[0]) == 17
    assert found[0] == found[1]
