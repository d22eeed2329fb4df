"""Editorial tests: a workspace on tmp_path (SQLite) over a copy of the small sample corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from editorial import Workspace
from tests.retrieval.conftest import (  # noqa: F401  (session fixtures: the real encoder)
    converted_model_dir,
    encoder,
    paths,
    retrieval_settings,
)
from tests.retrieval.faq_samples import write_corpus


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """Draft = the two-domain sample corpus; versions in a fresh SQLite file."""
    return Workspace(
        write_corpus(tmp_path / "faq"),
        tmp_path / "live",
        f"sqlite:///{tmp_path / 'assistant.sqlite3'}",
    )
