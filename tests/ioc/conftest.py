"""Fixtures of the ioc tests: one seeded SQLite database per session (reference 2024-06-15)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from ioc_testkit import SEED_NOW, make_service, make_settings, start_demo_api

from ioc.service import IocService
from settings.services import Settings, load_settings
from tools.iocdemo.seed import seed_database


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ioc") / "seed.sqlite3"
    seed_database(load_settings({}).paths, now=SEED_NOW, url=f"sqlite:///{path}")
    return path


@pytest.fixture
def db_path(seeded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database (tests may write to it)."""
    copy = tmp_path / "ioc.sqlite3"
    shutil.copy(seeded_db, copy)
    return copy


@pytest.fixture
def settings(db_path: Path, tmp_path: Path) -> Settings:
    return make_settings(db_path, tmp_path / "charts")


@pytest.fixture(scope="session")
def session_service(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> IocService:
    """Read-only service over the shared seeded database."""
    charts = tmp_path_factory.mktemp("charts")
    return make_service(make_settings(seeded_db, charts))


@pytest.fixture(scope="session")
def demo_api(seeded_db: Path) -> Iterator[str]:
    """Demo IOC API over the seeded database, with bearer token ``t0ken``."""
    proc, url = start_demo_api(seeded_db, "--token", "t0ken")
    yield url
    proc.terminate()
    proc.wait(timeout=10)
