"""The consumer reading Rasa-shaped events from real RabbitMQ (127.0.0.1:5672) into PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest
from sqlalchemy import select

from analytics.consumer import Consumer
from analytics.schema import turns
from settings.services import Settings, load_settings
from tests.analytics.rasa_events import faq_answer_turn, greeting_turn, session_start

AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TS = 1_760_000_000.0


@pytest.fixture
def queue() -> Iterator[str]:
    name = f"test_rasa_events_{uuid.uuid4().hex[:8]}"
    yield name
    with pika.BlockingConnection(pika.URLParameters(AMQP_URL)) as connection:
        connection.channel().queue_delete(queue=name)


def _settings(tmp_path: Path, queue: str, db_url: str) -> Settings:
    return load_settings(
        {
            "ASSISTANT_VAR_DIR": str(tmp_path),
            "ASSISTANT_DB_URL": db_url,
            "ASSISTANT_EVENTS_SOURCE": "rabbitmq",
            "ASSISTANT_RABBITMQ_URL": AMQP_URL,
            "ASSISTANT_RABBITMQ_QUEUE": queue,
            "ASSISTANT_ANALYTICS_KEY": "test-key",
            "ASSISTANT_ANALYTICS_POLL_S": "0.5",
        }
    )


def _publish(queue: str, events: list[dict]) -> None:
    with pika.BlockingConnection(pika.URLParameters(AMQP_URL)) as connection:
        channel = connection.channel()
        channel.queue_declare(queue=queue, durable=True)  # as Rasa's Pika broker declares it
        for event in events:
            channel.basic_publish("", queue, json.dumps(event).encode("utf-8"))
        channel.basic_publish("", queue, b"not json")  # skipped, still acknowledged


@pytest.mark.parametrize("database", ["postgresql", "sqlite"])
def test_rabbitmq_events_become_rows_once(tmp_path: Path, queue: str, database: str) -> None:
    db_url = PG_URL if database == "postgresql" else f"sqlite:///{tmp_path / 'a.sqlite3'}"
    senders = [f"s-{uuid.uuid4().hex}" for _ in range(2)]
    events = (
        session_start(senders[0], TS)
        + faq_answer_turn(senders[0], TS + 1, "thẻ bhyt của tôi, CCCD 079123456789, hết hạn")
        + greeting_turn(senders[1], TS + 2)
    )
    _publish(queue, events)
    settings = _settings(tmp_path, queue, db_url)
    consumer = Consumer(settings)
    assert consumer.run(once=True) == 2
    hashed = [hmac.new(b"test-key", s.encode(), hashlib.sha256).hexdigest() for s in senders]
    with consumer.db.connect() as conn:
        rows = conn.execute(
            select(turns).where(turns.c.sender.in_(hashed)).order_by(turns.c.ts)
        ).all()
    assert [(r.sender, r.decision, r.intent) for r in rows] == [
        (hashed[0], "answer", "ask_faq"),
        (hashed[1], "answer", "greet"),
    ]
    faq = rows[0]
    assert faq.faq_id == "yte-bhyt-gia-han"
    assert faq.channel == "zalo"
    assert faq.score == 0.91
    assert faq.suggestions == []
    assert faq.latency_ms == 250.0
    assert "079123456789" not in faq.text
    assert "<id>" in faq.text

    # replay: the same events again (another consumer, a restart) add nothing
    _publish(queue, events)
    assert Consumer(settings).run(once=True) == 0
    with pika.BlockingConnection(pika.URLParameters(AMQP_URL)) as connection:
        left = connection.channel().queue_declare(queue=queue, durable=True, passive=True)
    assert left.method.message_count == 0  # everything acknowledged
