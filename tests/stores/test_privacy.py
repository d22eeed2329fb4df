"""`bin/assistant privacy`: one person's data found and removed everywhere; retention purge."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert

from analytics.consumer import sender_key
from analytics.schema import turns
from channels.zalo_store import ZaloOutbox
from settings.defaults import REPO_ROOT
from settings.services import load_settings
from stores.privacy import PrivacyStores, events_db_url, tracker_db_url

KEY = "k" * 64


def _tracker_db(path: Path, rows: list[tuple[str, float, str]]) -> None:
    with sqlite3.connect(path) as conn:  # the columns of Rasa's SQLTrackerStore
        conn.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), "
            "type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255), "
            "action_name VARCHAR(255), data TEXT)"
        )
        for sender, ts, text in rows:
            data = json.dumps({"event": "user", "text": text, "timestamp": ts})
            conn.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (sender, "user", ts, data),
            )


def _broker_db(path: Path, senders: list[str]) -> None:
    with sqlite3.connect(path) as conn:  # the table of Rasa's SQLEventBroker
        conn.execute(
            "CREATE TABLE events (id INTEGER NOT NULL, sender_id VARCHAR(255), data TEXT, "
            "PRIMARY KEY (id))"
        )
        for sender in senders:
            data = json.dumps({"sender_id": sender, "event": "user", "text": "sđt <phone>"})
            conn.execute("INSERT INTO events (sender_id, data) VALUES (?, ?)", (sender, data))


def _broker_rows(path: Path) -> list[tuple[int, str | None, str]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT id, sender_id, data FROM events ORDER BY id"))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[PrivacyStores, Path]:
    var = tmp_path / "var"
    var.mkdir()
    (var / "analytics.key").write_text(KEY)
    settings = load_settings({"ASSISTANT_VAR_DIR": str(var)})
    endpoints = tmp_path / "endpoints.yml"
    tracker_db = tmp_path / "trackers.db"
    endpoints.write_text(
        "tracker_store:\n  type: assistant.tracker_store.RedactingTrackerStore\n"
        f"  wrapped:\n    type: sql\n    dialect: sqlite\n    db: {tracker_db}\n"
        "event_broker:\n  type: SQL\n  dialect: sqlite\n  db: ${ASSISTANT_EVENTS_DB}\n"
    )
    # the person's newest event is also the newest row of Rasa's SQL event broker
    _broker_db(settings.analytics.events_db, ["zalo:u1", "tg:2", "zalo:u1"])
    old = time.time() - 200 * 86400
    _tracker_db(
        tracker_db,
        [("zalo:u1", time.time(), "cccd <id>"), ("zalo:u1", old, "cũ"), ("tg:2", time.time(), "x")],
    )
    stores = PrivacyStores.open(settings, endpoints=endpoints)
    hashed = hmac.new(KEY.encode(), b"zalo:u1", hashlib.sha256).hexdigest()
    now = datetime.now(UTC)
    with stores.db.begin() as conn:
        for i, (sender, ts) in enumerate(
            [(hashed, now), (hashed, now - timedelta(days=200)), ("other", now)]
        ):
            conn.execute(
                insert(turns).values(
                    turn_id=f"t{i}", ts=ts, sender=sender, channel="zalo", role="citizen",
                    decision="answer", text="sđt <phone>",
                )
            )  # fmt: skip
    outbox = ZaloOutbox(settings.stores.db_url, window_s=3600, max_replies=8)
    outbox.user_message("u1")
    outbox.keep("u1", {"text": "gọi 0912345678"}, "window_expired")
    return stores, endpoints


def test_tracker_url_comes_from_the_wrapped_sql_store(tmp_path: Path) -> None:
    path = tmp_path / "e.yml"
    path.write_text("tracker_store:\n  type: assistant.tracker_store.RedactingTrackerStore\n")
    assert tracker_db_url(path) is None  # in memory: nothing kept outside the Rasa process
    path.write_text("tracker_store:\n  type: sql\n  dialect: sqlite\n  db: var/t.db\n")
    assert tracker_db_url(path) == f"sqlite:///{REPO_ROOT / 'var' / 't.db'}"


def test_export_then_forget_one_person(setup: tuple[PrivacyStores, Path]) -> None:
    stores, _ = setup
    found = stores.export("zalo:u1")
    assert [e["text"] for e in found["tracker_events"]] == ["cccd <id>", "cũ"]
    assert len(found["turns"]) == 2
    assert found["zalo"][0]["message"] == json.dumps({"text": "gọi <phone>"}, ensure_ascii=False)
    assert [e["sender_id"] for e in found["broker_events"]] == ["zalo:u1", "zalo:u1"]
    counts = stores.forget("zalo:u1")
    assert counts == {
        "tracker_events": 2,
        "broker_events": 2,
        "turns": 2,
        "zalo_outbox": 1,
        "zalo_reply_window": 1,
    }
    again = stores.export("zalo:u1")
    assert again["tracker_events"] == again["broker_events"] == again["turns"] == []
    assert again["zalo"] == []
    assert len(stores.export("tg:2")["tracker_events"]) == 1  # other people untouched
    assert len(stores.export("tg:2")["broker_events"]) == 1


def test_forget_blanks_the_newest_broker_row_instead_of_freeing_its_id(
    setup: tuple[PrivacyStores, Path], tmp_path: Path
) -> None:
    stores, _ = setup
    events_db = tmp_path / "var" / "rasa_events.sqlite3"
    stores.forget("zalo:u1")
    # SQLite would give the next event the id of a deleted newest row, one the analytics
    # consumer may already have passed: the row stays, without sender or content
    rows = _broker_rows(events_db)
    assert [(row_id, sender) for row_id, sender, _ in rows] == [(2, "tg:2"), (3, None)]
    assert rows[1][2] == "{}"
    with sqlite3.connect(events_db) as conn:
        new_id = conn.execute("INSERT INTO events (sender_id, data) VALUES ('x', '{}')").lastrowid
    assert new_id == 4


def test_events_url_comes_from_the_sql_event_broker(tmp_path: Path) -> None:
    path = tmp_path / "e.yml"
    path.write_text("event_broker:\n  type: pika\n  url: localhost\n")
    assert events_db_url(path) is None  # RabbitMQ: the consumer drains it, nothing to delete
    path.write_text("event_broker:\n  type: SQL\n  dialect: sqlite\n  db: ${ASSISTANT_EVENTS_DB}\n")
    variables = {"ASSISTANT_EVENTS_DB": "/srv/e.sqlite3"}
    assert events_db_url(path, variables) == "sqlite:////srv/e.sqlite3"


def test_purge_deletes_only_what_is_older_than_the_retention(
    setup: tuple[PrivacyStores, Path],
) -> None:
    stores, _ = setup
    counts = stores.purge(180)
    assert counts["tracker_events"] == 1
    assert counts["turns"] == 1
    assert counts["zalo_outbox"] == 0
    assert len(stores.export("zalo:u1")["tracker_events"]) == 1


def test_command_line_prints_json(setup: tuple[PrivacyStores, Path], tmp_path: Path) -> None:
    _, endpoints = setup
    env = {"PYTHONPATH": str(REPO_ROOT), "ASSISTANT_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-m", "stores.privacy", "--endpoints", str(endpoints), "export", "tg:2"],
        capture_output=True, text=True, env=env, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    assert json.loads(done.stdout)["sender"] == "tg:2"


def test_privacy_reads_the_consumers_key_but_never_creates_it(tmp_path: Path) -> None:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store:\n  type: assistant.tracker_store.RedactingTrackerStore\n")
    settings = load_settings({"ASSISTANT_VAR_DIR": str(tmp_path / "var")})
    stores = PrivacyStores.open(settings, endpoints=endpoints)
    assert stores.sender_key is None  # no consumer ever ran: no turn can be the person's
    assert stores.export("tg:1")["turns"] == []
    assert not (tmp_path / "var" / "analytics.key").exists()
    created = sender_key(settings)  # the consumer creates it on first use
    assert PrivacyStores.open(settings, endpoints=endpoints).sender_key == created
    keyed = load_settings({"ASSISTANT_VAR_DIR": str(tmp_path), "ASSISTANT_ANALYTICS_KEY": "k1"})
    assert PrivacyStores.open(keyed, endpoints=endpoints).sender_key == b"k1"
