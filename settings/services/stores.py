"""Shared state of the services runtime: the SQL database and (in a cluster) Redis."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from settings.defaults import VAR_DIR
from settings.services._base import Group, base_dirs, var

__all__ = ["StoreSettings"]


class StoreSettings(Group):
    db_url: str = var(
        f"sqlite:///{VAR_DIR / 'assistant.sqlite3'}",
        "ASSISTANT_DB_URL",
        "SQLAlchemy URL of the services' own state: per-turn analytics, Zalo event ids and "
        "outbox, FAQ versions and audit (PostgreSQL in production)",
    )
    redis_url: str = var(
        "",
        "ASSISTANT_REDIS_URL",
        "Redis URL for state shared by several processes (rate limits, button payloads); "
        "empty = kept in each process (one process only)",
    )

    retention_days: int = var(
        180,
        "ASSISTANT_RETENTION_DAYS",
        "personal data (tracker events, analytics turns, Zalo outbox) older than this is deleted "
        "by `bin/assistant privacy purge` (run it daily; docs/privacy.md)",
        ge=1,
    )

    @model_validator(mode="before")
    @classmethod
    def _default_inside_var_dir(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("ASSISTANT_DB_URL"):
            _, var_dir = base_dirs(data)
            data = {**data, "ASSISTANT_DB_URL": f"sqlite:///{var_dir / 'assistant.sqlite3'}"}
        return data
