"""The version store on real PostgreSQL: numbering, live pointer, concurrent publishes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from editorial import Workspace
from tests.retrieval.faq_samples import write_corpus

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A schema of its own in the shared test database (other engineers' tests run there too)."""
    schema = f"editorial_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_publish_rollback_and_concurrent_publishes(pg_url: str, tmp_path: Path) -> None:
    workspace = Workspace(write_corpus(tmp_path / "faq"), tmp_path / "live", pg_url)
    assert workspace.ensure_live().number == 1
    path = workspace.draft_dir / "y_te.yml"

    def publish(n: int) -> int:
        return workspace.store.create(
            {"y_te.yml": f"# {n}\n" + path.read_text(encoding="utf-8")},
            author=f"bt{n}",
            message=str(n),
            domains=2,
            entries=7,
        ).number

    with ThreadPoolExecutor(4) as pool:
        numbers = sorted(pool.map(publish, range(6)))
    assert numbers == [2, 3, 4, 5, 6, 7]  # every publish got its own number
    assert workspace.live().number in numbers
    assert workspace.rollback(1, author="a").number == 1
    assert workspace.store.live_number() == 1
    assert len(workspace.store.audit_log()) == 8
    workspace.store.report_server("h:1", version=1, wanted=1, status="ok", error=None)
    assert [s.server_id for s in workspace.servers()] == ["h:1"]
