"""The analytics consumer: where Rasa's turn events come from and how senders are hashed."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from settings.defaults import EVENTS_DB_NAME, VAR_DIR, resolve_path
from settings.services._base import Group, base_dirs, var

__all__ = ["AnalyticsSettings"]


class AnalyticsSettings(Group):
    source: Literal["sql", "rabbitmq"] = var(
        "sql",
        "ASSISTANT_EVENTS_SOURCE",
        "where the analytics consumer reads Rasa's events: sql (the SQL event broker's file, "
        "embedded default) or rabbitmq (Rasa's Pika event broker, production)",
    )
    events_db: Path = var(
        VAR_DIR / EVENTS_DB_NAME,
        "ASSISTANT_EVENTS_DB",
        "SQLite file of Rasa's SQL event broker (endpoints.yml); the consumer reads its "
        "events table",
    )
    events_keep_rows: int = var(
        1,
        "ASSISTANT_EVENTS_KEEP_ROWS",
        "the SQL event broker's events table keeps only its newest N rows once their turns are "
        "written (older consumed rows are deleted; at least 1, so SQLite never reuses an id)",
        ge=1,
    )
    rabbitmq_url: str = var(
        "amqp://guest:guest@127.0.0.1:5672/%2F",
        "ASSISTANT_RABBITMQ_URL",
        "AMQP URL of the RabbitMQ that Rasa's Pika event broker publishes to",
    )
    events_queue: str = var(
        "rasa_events",
        "ASSISTANT_RABBITMQ_QUEUE",
        "RabbitMQ queue the consumer reads (the same name in Rasa's event_broker queues)",
        min_length=1,
    )
    sender_key: str = var(
        "",
        "ASSISTANT_ANALYTICS_KEY",
        "secret key of the sender hash in the turns table (same on every consumer); "
        "empty = a random key kept in <ASSISTANT_VAR_DIR>/analytics.key",
    )
    poll_s: float = var(
        1.0, "ASSISTANT_ANALYTICS_POLL_S", "how often the consumer polls the SQL events", gt=0
    )
    turn_timeout_s: float = var(
        120.0,
        "ASSISTANT_ANALYTICS_TURN_TIMEOUT_S",
        "a turn whose end (action_listen) never arrives is written after this long",
        gt=0,
    )

    @model_validator(mode="before")
    @classmethod
    def _default_inside_var_dir(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("ASSISTANT_EVENTS_DB"):
            _, var_dir = base_dirs(data)
            data = {**data, "ASSISTANT_EVENTS_DB": var_dir / EVENTS_DB_NAME}
        return data

    @field_validator("events_db", mode="after")
    @classmethod
    def _from_repo_root(cls, value: Path) -> Path:
        return resolve_path(value)
