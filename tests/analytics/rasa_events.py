"""Rasa-shaped events (as Rasa 3.6's event brokers publish them) for the analytics tests, and
the SQL event broker's table they land in."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, create_engine

__all__ = [
    "broker_row_ids",
    "create_broker_table",
    "faq_answer_turn",
    "greeting_turn",
    "publish_events",
    "session_start",
]


def session_start(sender: str, ts: float) -> list[dict[str, Any]]:
    return [
        {"sender_id": sender, "event": "action", "timestamp": ts, "name": "action_session_start"},
        {"sender_id": sender, "event": "session_started", "timestamp": ts},
        {"sender_id": sender, "event": "action", "timestamp": ts, "name": "action_listen"},
    ]


def _user(sender: str, ts: float, text: str, intent: str, confidence: float) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": ts,
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []},
        "input_channel": "rest",
        "message_id": f"m{ts}",
        "metadata": {"channel": "zalo", "user_id": "u-1"},
    }


def _slot(sender: str, ts: float, name: str, value: Any) -> dict[str, Any]:
    return {"sender_id": sender, "event": "slot", "timestamp": ts, "name": name, "value": value}


def _action(sender: str, ts: float, name: str) -> dict[str, Any]:
    return {"sender_id": sender, "event": "action", "timestamp": ts, "name": name}


def faq_answer_turn(sender: str, ts: float, text: str) -> list[dict[str, Any]]:
    """A citizen's FAQ question answered by action_answer_faq (bot mark + per-turn slots)."""
    mark = {"decision": "answer", "role": "citizen", "score": 0.91, "guessed_domain": "y_te"}
    return [
        _user(sender, ts, text, "ask_faq", 0.97),
        _action(sender, ts + 0.01, "action_answer_faq"),
        {
            "sender_id": sender,
            "event": "bot",
            "timestamp": ts + 0.25,
            "text": "Bạn gia hạn thẻ BHYT tại …",
            "data": {},
            "metadata": {"turn": mark},
        },
        _slot(sender, ts + 0.25, "answer_domain", "y_te"),
        _slot(sender, ts + 0.25, "faq_id", "yte-bhyt-gia-han"),
        _slot(sender, ts + 0.25, "fallback", False),
        _slot(sender, ts + 0.25, "suggestions", []),
        _action(sender, ts + 0.26, "action_listen"),
    ]


def greeting_turn(sender: str, ts: float) -> list[dict[str, Any]]:
    """A greeting answered by a Rasa response (no custom action, no mark)."""
    return [
        _user(sender, ts, "xin chào", "greet", 0.99),
        {"sender_id": sender, "event": "action", "timestamp": ts + 0.01, "name": "utter_greet"},
        {
            "sender_id": sender,
            "event": "bot",
            "timestamp": ts + 0.02,
            "text": "Xin chào!",
            "data": {},
            "metadata": {"utter_action": "utter_greet"},
        },
        {"sender_id": sender, "event": "action", "timestamp": ts + 0.03, "name": "action_listen"},
    ]


def create_broker_table(path: Path) -> None:
    """The ``events`` table as Rasa 3.6's ``SQLEventBroker`` declares it."""
    table_metadata = MetaData()
    Table(
        "events",
        table_metadata,
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255)),
        Column("data", Text),
    )
    engine = create_engine(f"sqlite:///{path}")
    table_metadata.create_all(engine)
    engine.dispose()


def publish_events(path: Path, events: list[dict[str, Any]]) -> list[int]:
    """One row per event, each in its own transaction (as Rasa's broker does); the new ids."""
    ids = []
    with sqlite3.connect(path, timeout=5) as conn:
        for event in events:
            cursor = conn.execute(
                "INSERT INTO events (sender_id, data) VALUES (?, ?)",
                (event.get("sender_id"), json.dumps(event)),
            )
            conn.commit()
            ids.append(int(cursor.lastrowid or 0))
    return ids


def broker_row_ids(path: Path) -> list[int]:
    with sqlite3.connect(path, timeout=5) as conn:
        return [row[0] for row in conn.execute("SELECT id FROM events ORDER BY id")]
