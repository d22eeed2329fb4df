"""Inbox fixtures: the real e5 encoder (shared with the retrieval tests) and a turns database."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from analytics.schema import TurnRecord, turns
from inbox.store import open_engine
from retrieval.decision import Thresholds
from retrieval.service import FaqService
from settings.defaults import REPO_ROOT
from tests.retrieval.conftest import (  # noqa: F401 (session fixtures re-used here)
    converted_model_dir,
    encoder,
    paths,
    retrieval_settings,
)

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
_ids = itertools.count(1)

AddTurn = Callable[..., TurnRecord]


@pytest.fixture
def db(tmp_path: Path) -> Engine:
    """A fresh SQLite database with the turn table and the inbox's tables."""
    return open_engine(f"sqlite:///{tmp_path / 'assistant.sqlite3'}")


@pytest.fixture
def add_turn(db: Engine) -> AddTurn:
    """Insert one turn row as the analytics consumer would (``decision`` defaults to decline)."""

    def add(text: str, **fields: object) -> TurnRecord:
        number = next(_ids)
        record = TurnRecord(
            turn_id=f"t{number}",
            ts=NOW - timedelta(hours=1, minutes=number),
            sender=f"s{number % 3}",
            channel="web",
            role="citizen",
            decision="decline",
            text=text,
        )
        record = replace(record, **fields)  # type: ignore[arg-type]
        row = asdict(record)
        row["suggestions"] = list(record.suggestions)
        with db.begin() as conn:
            conn.execute(insert(turns).values(**row))
        return record

    return add


@pytest.fixture(scope="module")
def faq_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/faq the module's tests may edit (the draft)."""
    target = tmp_path_factory.mktemp("inbox") / "faq"
    shutil.copytree(REPO_ROOT / "data" / "faq", target)
    return target


@pytest.fixture(scope="module")
def faq_service(faq_copy: Path, encoder) -> Iterator[FaqService]:  # noqa: F811
    """A FAQ service over the copy (loaded once per module from the index `make setup` built)."""
    index_dir = faq_copy.parent / "faq_index"
    built = REPO_ROOT / "var" / "faq_index"
    if built.is_dir():
        shutil.copytree(built, index_dir, symlinks=True)
    service = FaqService(faq_copy, encoder, index_dir=index_dir, thresholds=Thresholds.load())
    service.load()
    yield service
    service.close()
