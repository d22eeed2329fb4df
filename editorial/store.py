"""Published FAQ versions, the live pointer, the audit log and the action servers' swap reports.

Everything lives in the services' SQL database (``ASSISTANT_DB_URL``, via :mod:`stores`), so every
action server of a deployment — on one host or several — sees the same live version:

- ``faq_versions`` / ``faq_version_files``: immutable snapshots (number, author, message, time,
  and the text of every domain file as it was published);
- ``faq_live``: one row, the version the bot serves (publish and rollback move it in the same
  transaction that records them);
- ``editorial_audit``: who did what, when (publish, rollback, edits from the admin page…);
- ``faq_servers``: each running action server's last report (version serving, ok/failed).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from editorial.errors import EditorialError, VersionNotFound
from stores import StoreUnavailable, ensure_tables

__all__ = [
    "METADATA",
    "AuditRow",
    "ServerReport",
    "Version",
    "VersionStore",
    "files_digest",
    "sha256_text",
    "utcnow",
]

METADATA = MetaData()
_VERSIONS = Table(
    "faq_versions",
    METADATA,
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("author", String(200), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),  # naive UTC
    Column("digest", String(64), nullable=False),  # of every file name + text
    Column("domains", Integer, nullable=False),
    Column("entries", Integer, nullable=False),
)
_FILES = Table(
    "faq_version_files",
    METADATA,
    Column("version", Integer, ForeignKey("faq_versions.number"), primary_key=True),
    Column("name", String(200), primary_key=True),  # "<domain code>.yml"
    Column("sha256", String(64), nullable=False),
    Column("text", Text, nullable=False),
)
_LIVE = Table(
    "faq_live",
    METADATA,
    Column("slot", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("version", Integer, ForeignKey("faq_versions.number"), nullable=False),
    Column("changed_at", DateTime, nullable=False),
    Column("changed_by", String(200), nullable=False),
)
_AUDIT = Table(
    "editorial_audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("author", String(200), nullable=False),
    Column("action", String(40), nullable=False),  # publish | rollback | domain_new | edit …
    Column("target", String(200), nullable=False),  # version number, domain code, entry id
    Column("detail", Text, nullable=False),
)
_SERVERS = Table(
    "faq_servers",
    METADATA,
    Column("server_id", String(120), primary_key=True),  # host:pid
    Column("version", Integer, nullable=True),  # serving now
    Column("wanted", Integer, nullable=True),  # the live version it last tried
    Column("status", String(20), nullable=False),  # ok | failed | swapping
    Column("error", Text, nullable=True),
    Column("seen_at", DateTime, nullable=False),
)
_LIVE_SLOT = 1


_ATTEMPTS = 10
SWAPPING_FRESH_S = 900.0  # how long a server that said "swapping" counts as running
_PG_LOCK_KEY = 0x11A_F00D  # advisory lock: publishes and rollbacks take turns on PostgreSQL


def _serialize(conn: Connection) -> None:
    """Make concurrent publishes/rollbacks take turns (SQLite writers already do)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})


def utcnow() -> datetime:
    """Now in UTC without tzinfo (what SQLite and PostgreSQL ``timestamp`` both keep)."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def sha256_text(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def files_digest(files: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{sha256_text(files[name])}\0".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Version:
    number: int
    author: str
    message: str
    created_at: datetime  # UTC
    digest: str
    domains: int
    entries: int
    live: bool = False  # the version the bot serves now

    def as_json(self) -> dict[str, object]:
        return {
            "number": self.number,
            "author": self.author,
            "message": self.message,
            "created_at": self.created_at.isoformat() + "Z",
            "domains": self.domains,
            "entries": self.entries,
            "live": self.live,
        }


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    author: str
    action: str
    target: str
    detail: str


@dataclass(frozen=True)
class ServerReport:
    server_id: str
    version: int | None
    wanted: int | None
    status: str
    error: str | None
    seen_at: datetime


class VersionStore:
    """The editorial tables of one database (created on first use)."""

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = ensure_tables(self.db_url, METADATA)
        return self._engine

    # -- versions ------------------------------------------------------------------------------

    def create(
        self,
        files: Mapping[str, str],
        *,
        author: str,
        message: str,
        domains: int,
        entries: int,
        only_first: bool = False,
    ) -> Version:
        """Record a new version and make it live, atomically (one transaction).

        With ``only_first`` nothing is recorded when a version exists already (two action servers
        starting at once on an empty database publish the draft once); the live one is returned.
        """
        for attempt in range(_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    _serialize(conn)
                    number = int(conn.scalar(select(func.max(_VERSIONS.c.number))) or 0) + 1
                    if only_first and number > 1:
                        live = conn.scalar(select(_LIVE.c.version))
                        return self.version(int(live if live is not None else number - 1))
                    now = utcnow()
                    conn.execute(
                        insert(_VERSIONS).values(
                            number=number,
                            author=author,
                            message=message,
                            created_at=now,
                            digest=files_digest(files),
                            domains=domains,
                            entries=entries,
                        )
                    )
                    if files:
                        conn.execute(
                            insert(_FILES),
                            [
                                {"version": number, "name": n, "sha256": sha256_text(t), "text": t}
                                for n, t in sorted(files.items())
                            ],
                        )
                    self._set_live(conn, number, author)
                    self._audit(conn, author, "publish", str(number), message)
                return self.version(number)
            except IntegrityError:  # another publish took this number first: take the next
                if attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    def set_live(self, number: int, *, author: str, action: str, detail: str) -> Version:
        """Point the bot at an existing version (rollback), with its audit row, atomically."""
        with self.engine.begin() as conn:
            _serialize(conn)
            if conn.scalar(select(_VERSIONS.c.number).where(_VERSIONS.c.number == number)) is None:
                raise VersionNotFound(f"there is no FAQ version {number}; see 'faq versions'")
            self._set_live(conn, number, author)
            self._audit(conn, author, action, str(number), detail)
        return self.version(number)

    @staticmethod
    def _set_live(conn: Connection, number: int, author: str) -> None:
        values = {"version": number, "changed_at": utcnow(), "changed_by": author}
        done = conn.execute(update(_LIVE).where(_LIVE.c.slot == _LIVE_SLOT).values(**values))
        if done.rowcount == 0:
            conn.execute(insert(_LIVE).values(slot=_LIVE_SLOT, **values))

    def live_number(self) -> int | None:
        """The version the bot serves (None before the first publish)."""
        with self.engine.connect() as conn:
            found = conn.scalar(select(_LIVE.c.version).where(_LIVE.c.slot == _LIVE_SLOT))
        return int(found) if found is not None else None

    def versions(self) -> list[Version]:
        """Every published version, newest first."""
        live = self.live_number()
        with self.engine.connect() as conn:
            rows = conn.execute(select(_VERSIONS).order_by(_VERSIONS.c.number.desc())).all()
        return [_version(row, live) for row in rows]

    def version(self, number: int) -> Version:
        with self.engine.connect() as conn:
            row = conn.execute(select(_VERSIONS).where(_VERSIONS.c.number == number)).first()
        if row is None:
            raise VersionNotFound(f"there is no FAQ version {number}; see 'faq versions'")
        return _version(row, self.live_number())

    def files(self, number: int) -> dict[str, str]:
        """File name -> text of a published version."""
        self.version(number)
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_FILES.c.name, _FILES.c.text).where(_FILES.c.version == number)
            ).all()
        return {str(name): str(body) for name, body in rows}

    def file_history(self) -> dict[str, list[tuple[int, str]]]:
        """File name -> [(version, sha256)] in version order (for "last published" per domain)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_FILES.c.name, _FILES.c.version, _FILES.c.sha256).order_by(_FILES.c.version)
            ).all()
        history: dict[str, list[tuple[int, str]]] = {}
        for name, number, sha in rows:
            history.setdefault(str(name), []).append((int(number), str(sha)))
        return history

    # -- audit ---------------------------------------------------------------------------------

    def audit(self, author: str, action: str, target: str, detail: str = "") -> None:
        """Append one audit row (the admin page records its edits here too)."""
        with self.engine.begin() as conn:
            self._audit(conn, author, action, target, detail)

    @staticmethod
    def _audit(conn: Connection, author: str, action: str, target: str, detail: str) -> None:
        conn.execute(
            insert(_AUDIT).values(
                at=utcnow(), author=author, action=action, target=target, detail=detail
            )
        )

    def audit_log(self, *, limit: int = 100) -> list[AuditRow]:
        """The newest audit rows first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_AUDIT).order_by(_AUDIT.c.id.desc()).limit(max(1, limit))
            ).all()
        return [AuditRow(r.at, r.author, r.action, r.target, r.detail) for r in rows]

    # -- action servers ------------------------------------------------------------------------

    def report_server(
        self,
        server_id: str,
        *,
        version: int | None,
        wanted: int | None,
        status: str,
        error: str | None,
    ) -> None:
        """Upsert one action server's report (what it serves, whether its last swap worked)."""
        values = {
            "version": version,
            "wanted": wanted,
            "status": status,
            "error": error,
            "seen_at": utcnow(),
        }
        with self.engine.begin() as conn:
            done = conn.execute(
                update(_SERVERS).where(_SERVERS.c.server_id == server_id).values(**values)
            )
            if done.rowcount == 0:
                conn.execute(insert(_SERVERS).values(server_id=server_id, **values))

    def forget_server(self, server_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_SERVERS).where(_SERVERS.c.server_id == server_id))

    def servers(self, *, fresh_s: float) -> list[ServerReport]:
        """Action servers that reported within the last ``fresh_s`` seconds (the running ones)."""
        since = utcnow() - timedelta(seconds=fresh_s)
        # a server building a large new index reports "swapping" once and is silent meanwhile
        swapping_since = utcnow() - timedelta(seconds=SWAPPING_FRESH_S)
        recent = or_(
            _SERVERS.c.seen_at >= since,
            and_(_SERVERS.c.status == "swapping", _SERVERS.c.seen_at >= swapping_since),
        )
        with self.engine.connect() as conn:
            rows = conn.execute(select(_SERVERS).where(recent).order_by(_SERVERS.c.server_id)).all()
        return [ServerReport(**r._mapping) for r in rows]


def _version(row: Row[Any], live: int | None) -> Version:
    m = row._mapping
    number = int(m["number"])
    return Version(
        number=number,
        author=str(m["author"]),
        message=str(m["message"]),
        created_at=m["created_at"],
        digest=str(m["digest"]),
        domains=int(m["domains"]),
        entries=int(m["entries"]),
        live=number == live,
    )


def wrap_db_errors(exc: StoreUnavailable | SQLAlchemyError, db_url: str) -> EditorialError:
    """A database failure as our error (named database, no password)."""
    from stores.sql import safe_url

    return EditorialError(
        f"the editorial database {safe_url(db_url)} (ASSISTANT_DB_URL) failed: "
        f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    )


# StoreUnavailable is raised by ensure_tables when the database cannot be reached
UNAVAILABLE = (StoreUnavailable, SQLAlchemyError)
