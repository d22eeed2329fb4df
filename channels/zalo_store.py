"""Zalo OA state: rotating tokens (JSON file, atomic); reply window, outbox and processed event
ids in the services' SQL database (``ASSISTANT_DB_URL``)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from channels.errors import ZaloTokenError
from stores import ensure_tables
from vitext import redact_pii

__all__ = ["METADATA", "OutboxRow", "ProcessedEvents", "TokenStore", "Tokens", "ZaloOutbox"]


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str


class TokenStore:
    """The current token pair; the file beats the environment (refresh tokens are single-use)."""

    def __init__(self, path: Path, *, access_token: str, refresh_token: str) -> None:
        self.path = path
        self.tokens = Tokens(access_token, refresh_token)
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
                self.tokens = Tokens(str(raw["access_token"]), str(raw["refresh_token"]))
            except (OSError, ValueError, KeyError) as exc:
                raise ZaloTokenError(
                    f"{path}: unreadable token file ({exc!r}); delete it to fall back to "
                    "ZALO_ACCESS_TOKEN / ZALO_REFRESH_TOKEN"
                ) from exc

    def save(self, access_token: str, refresh_token: str) -> None:
        """Persist atomically (tmp file + os.replace) so a crash never loses the new pair."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        body = {
            "access_token": access_token,
            "refresh_token": refresh_token,
            "saved_at": time.time(),
        }
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(body, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        self.tokens = Tokens(access_token, refresh_token)


@dataclass(frozen=True)
class OutboxRow:
    user_id: str
    message: dict[str, Any]
    reason: str
    created_at: float


METADATA = MetaData()
_WINDOW = Table(
    "zalo_reply_window",
    METADATA,
    Column("user_id", String(64), primary_key=True),
    Column("last_user_at", Float, nullable=False),
    Column("replies", Integer, nullable=False),
)
_OUTBOX = Table(
    "zalo_outbox",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("message", Text, nullable=False),  # JSON, personal data redacted
    Column("reason", String(64), nullable=False),
    Column("created_at", Float, nullable=False, index=True),
)
_EVENTS = Table(
    "zalo_events",
    METADATA,
    Column("event_key", String(128), primary_key=True),
    Column("seen_at", Float, nullable=False, index=True),
)


def _redacted(value: Any) -> Any:
    """``value`` with every string redacted (the JSON structure is kept)."""
    if isinstance(value, str):
        return redact_pii(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


class ZaloOutbox:
    """Tracks each user's reply window; keeps what may not (or could not) be sent.

    Kept in the services' SQL database (``ASSISTANT_DB_URL``) so every replica shares it; the
    kept messages are redacted (staff answer from the conversation, not from this copy).
    """

    def __init__(self, db_url: str, *, window_s: int, max_replies: int) -> None:
        self._engine = ensure_tables(db_url, METADATA)
        self._window_s = window_s
        self._max_replies = max_replies

    def user_message(self, user_id: str, *, now: float | None = None) -> None:
        """The user wrote: a new window opens and the reply count restarts."""
        at = time.time() if now is None else now
        with self._engine.begin() as conn:
            updated = conn.execute(
                update(_WINDOW)
                .where(_WINDOW.c.user_id == user_id)
                .values(last_user_at=at, replies=0)
            )
            if updated.rowcount == 0:
                conn.execute(insert(_WINDOW).values(user_id=user_id, last_user_at=at, replies=0))

    def reserve(self, user_id: str, *, now: float | None = None) -> str | None:
        """Count one reply; return why it may not be sent, or None when it may."""
        now = time.time() if now is None else now
        with self._engine.begin() as conn:
            row = conn.execute(
                select(_WINDOW.c.last_user_at, _WINDOW.c.replies).where(
                    _WINDOW.c.user_id == user_id
                )
            ).first()
            if row is None:
                return "no_user_message"
            if now - row[0] > self._window_s:
                return "window_expired"
            if row[1] >= self._max_replies:
                return "reply_quota"
            conn.execute(
                update(_WINDOW)
                .where(_WINDOW.c.user_id == user_id)
                .values(replies=_WINDOW.c.replies + 1)
            )
        return None

    def keep(self, user_id: str, message: dict[str, Any], reason: str) -> None:
        """Store a message that was not sent (redacted), with the reason, for the staff."""
        body = json.dumps(_redacted(message), ensure_ascii=False)
        with self._engine.begin() as conn:
            conn.execute(
                insert(_OUTBOX).values(
                    user_id=user_id, message=body, reason=reason, created_at=time.time()
                )
            )

    def pending(self) -> list[OutboxRow]:
        """Every kept message, oldest first."""
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(
                    _OUTBOX.c.user_id, _OUTBOX.c.message, _OUTBOX.c.reason, _OUTBOX.c.created_at
                ).order_by(_OUTBOX.c.id)
            ).all()
        return [OutboxRow(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]

    def close(self) -> None:
        """Nothing to close: the engine is the process's shared one (``stores.engine``)."""


class ProcessedEvents:
    """Webhook events already handled, in the SQL database: a replay or a redelivery after a
    restart is handled once."""

    def __init__(self, db_url: str) -> None:
        self._engine = ensure_tables(db_url, METADATA)

    def first_time(self, key: str, *, now: float | None = None) -> bool:
        """Record ``key``; False when it was recorded before."""
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(_EVENTS).values(
                        event_key=key[:128], seen_at=time.time() if now is None else now
                    )
                )
        except IntegrityError:
            return False
        return True
