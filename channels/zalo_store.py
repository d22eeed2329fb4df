"""Zalo OA state on disk: rotating tokens (JSON, atomic) and the reply window + outbox (SQLite)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channels.errors import ZaloTokenError

__all__ = ["OutboxRow", "TokenStore", "Tokens", "ZaloOutbox"]


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


class ZaloOutbox:
    """Tracks each user's reply window; keeps what may not (or could not) be sent."""

    def __init__(self, path: Path, *, window_s: int, max_replies: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._window_s = window_s
        self._max_replies = max_replies
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS reply_window (user_id TEXT PRIMARY KEY,"
                " last_user_at REAL NOT NULL, replies INTEGER NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " user_id TEXT NOT NULL, message TEXT NOT NULL, reason TEXT NOT NULL,"
                " created_at REAL NOT NULL)"
            )

    def user_message(self, user_id: str, *, now: float | None = None) -> None:
        """The user wrote: a new window opens and the reply count restarts."""
        with self._db:
            self._db.execute(
                "INSERT INTO reply_window VALUES (?, ?, 0) ON CONFLICT(user_id)"
                " DO UPDATE SET last_user_at = excluded.last_user_at, replies = 0",
                (user_id, time.time() if now is None else now),
            )

    def reserve(self, user_id: str, *, now: float | None = None) -> str | None:
        """Count one reply; return why it may not be sent, or None when it may."""
        now = time.time() if now is None else now
        row = self._db.execute(
            "SELECT last_user_at, replies FROM reply_window WHERE user_id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return "no_user_message"
        if now - row[0] > self._window_s:
            return "window_expired"
        if row[1] >= self._max_replies:
            return "reply_quota"
        with self._db:
            self._db.execute(
                "UPDATE reply_window SET replies = replies + 1 WHERE user_id = ?", (user_id,)
            )
        return None

    def keep(self, user_id: str, message: dict[str, Any], reason: str) -> None:
        """Store a message that was not sent, with the reason, for the staff to handle."""
        with self._db:
            self._db.execute(
                "INSERT INTO outbox (user_id, message, reason, created_at) VALUES (?, ?, ?, ?)",
                (user_id, json.dumps(message, ensure_ascii=False), reason, time.time()),
            )

    def pending(self) -> list[OutboxRow]:
        """Every kept message, oldest first."""
        rows = self._db.execute(
            "SELECT user_id, message, reason, created_at FROM outbox ORDER BY id"
        ).fetchall()
        return [OutboxRow(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]

    def close(self) -> None:
        """Close the database."""
        self._db.close()
