"""The shared stores against real SQLite, PostgreSQL and Redis on loopback."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text

from stores import StoreUnavailable, engine, ensure_tables, redis_client

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/15"


def _table() -> tuple[MetaData, Table]:
    metadata = MetaData()
    table = Table(
        f"t_{uuid.uuid4().hex[:8]}",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(40)),
    )
    return metadata, table


def test_sqlite_engine_creates_folder_and_is_shared(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'state.sqlite3'}"
    metadata, table = _table()
    first = ensure_tables(url, metadata)
    assert engine(url) is first
    with first.begin() as conn:
        conn.execute(insert(table).values(name="Vũng Tàu"))
    with first.connect() as conn:
        assert conn.execute(select(table.c.name)).scalar_one() == "Vũng Tàu"
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"


def test_postgresql_round_trip() -> None:
    metadata, table = _table()
    found = ensure_tables(PG_URL, metadata)
    try:
        with found.begin() as conn:
            conn.execute(insert(table).values(name="Bà Rịa"))
        with found.connect() as conn:
            assert conn.execute(select(table.c.name)).scalar_one() == "Bà Rịa"
    finally:
        metadata.drop_all(found)


def test_unreachable_postgresql_names_the_database_without_password() -> None:
    url = "postgresql+psycopg://user:s3cret@127.0.0.1:1/nowhere?connect_timeout=2"
    with pytest.raises(StoreUnavailable) as caught:
        ensure_tables(url, _table()[0])
    assert "127.0.0.1:1/nowhere" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_redis_client_is_optional_shared_and_checked() -> None:
    assert redis_client("") is None
    client = redis_client(REDIS_URL)
    assert client is not None
    assert redis_client(REDIS_URL) is client
    key = f"test:{uuid.uuid4().hex}"
    client.set(key, "1", ex=5)
    assert client.get(key) == b"1"
    with pytest.raises(StoreUnavailable, match="ASSISTANT_REDIS_URL"):
        redis_client("redis://127.0.0.1:1/0")


_RACE = """
import sys
from sqlalchemy import Column, Integer, MetaData, String, Table
from stores import ensure_tables
metadata = MetaData()
for n in range(12):
    Table(f"t{n}", metadata, Column("id", Integer, primary_key=True), Column("v", String(9)))
ensure_tables(sys.argv[1], metadata)
"""


@pytest.mark.parametrize("url_of", ["sqlite", "postgresql"])
def test_processes_starting_together_all_get_the_schema(tmp_path: Path, url_of: str) -> None:
    """Two action servers on one database start at once: neither fails on the other's tables."""
    import subprocess
    import sys

    if url_of == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    else:
        schema = f"race_{uuid.uuid4().hex[:8]}"
        with engine(PG_URL).begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", _RACE, url], cwd=root, stderr=subprocess.PIPE)
        for _ in range(6)
    ]
    errors = [p.communicate(timeout=60)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
