"""One SQLAlchemy engine per database URL (SQLite file by default, PostgreSQL in production)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError

from stores.errors import StoreUnavailable

__all__ = ["engine", "ensure_tables", "safe_url"]

_CREATE_ATTEMPTS = 4
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def safe_url(url: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as a placeholder
        return "<invalid database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # the wait first: switching to WAL needs a lock another process may hold at start-up
    cursor.execute("PRAGMA busy_timeout=5000")
    # WAL: readers (inbox, statistics) never block the writer (analytics consumer)
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def engine(url: str) -> Engine:
    """The process-wide engine for ``url`` (created once; SQLite's folder is created too)."""
    with _lock:
        found = _engines.get(url)
        if found is not None:
            return found
        try:
            parsed = make_url(url)
        except Exception as exc:  # SQLAlchemy raises several types here
            raise StoreUnavailable(f"invalid database URL {url!r}: {exc}") from exc
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        created = create_engine(url, pool_pre_ping=not is_sqlite)
        if is_sqlite:
            event.listen(created, "connect", _sqlite_pragmas)
        _engines[url] = created
        return created


def ensure_tables(url: str, metadata: MetaData) -> Engine:
    """The engine for ``url`` with ``metadata``'s tables created if missing.

    Raises :class:`StoreUnavailable` naming the database when it cannot be reached.
    """
    found = engine(url)
    try:
        # processes starting together (two action servers on one database) race between
        # "is the table there?" and "create it": the loser sees "already exists" (PostgreSQL:
        # a duplicate type) or a lock, and succeeds on a second look; an outage still fails
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                metadata.create_all(found)
                break
            except (OperationalError, IntegrityError, ProgrammingError):
                if attempt == _CREATE_ATTEMPTS - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"database {safe_url(url)} (ASSISTANT_DB_URL) is unreachable or refused the schema: "
            f"{exc.__class__.__name__}"
        ) from exc
    return found
