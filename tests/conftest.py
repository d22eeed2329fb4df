"""Session-wide real stack: one action server + one Rasa server, started only when a test asks.

The action server serves the published version of a temporary copy of data/faq (tests edit
that draft and publish it with ``bin/assistant faq publish``; its database is temporary too) and
writes charts to a temporary directory. Tests that need other settings start their own
servers with ``tests.stack``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # tests.stack needs httpx, which the Rasa runtime does not have
    from tests.stack import ActionServer, RasaServer

ROLE_SECRET = "test-role-secret-0123456789abcdef0123"
STAFF_TELEGRAM_ID = "777001"
STAFF_ZALO_ID = "zalo-staff-1"
CHART_SECRET = "test-chart-secret-0123456789"


@dataclass(frozen=True)
class Stack:
    rasa: RasaServer
    actions: ActionServer
    faq_dir: Path  # the editors' draft: the bot serves what was last published from it
    charts_dir: Path
    role_secret: str
    env: dict[str, str]  # settings of the stack's action server (for `bin/assistant faq …`)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Real action server + Rasa server on free loopback ports."""
    from tests.stack import REPO_ROOT, ActionServer, RasaServer

    base = tmp_path_factory.mktemp("stack")
    faq_dir = base / "faq"
    shutil.copytree(REPO_ROOT / "data" / "faq", faq_dir)
    charts_dir = base / "charts"
    charts_dir.mkdir()
    # the index built by `make setup` for data/faq, copied so hot-reload edits stay in the test
    index_dir = base / "faq_index"
    built = REPO_ROOT / "var" / "faq_index"
    if built.is_dir():
        shutil.copytree(built, index_dir, symlinks=True)
    env = {
        "ASSISTANT_FAQ_DIR": str(faq_dir),
        "ASSISTANT_FAQ_INDEX_DIR": str(index_dir),
        "ASSISTANT_CHARTS_DIR": str(charts_dir),
        "ASSISTANT_ROLE_SECRET": ROLE_SECRET,
        # as in production: the bot serves the published version (the draft becomes version 1)
        "ASSISTANT_FAQ_SERVE": "published",
        "ASSISTANT_DB_URL": f"sqlite:///{base / 'assistant.sqlite3'}",
        "ASSISTANT_FAQ_LIVE_DIR": str(base / "faq_live"),
        "ASSISTANT_FAQ_POLL_S": "0.5",
        # allow-listed ids mean nothing in metadata: only the bridges sign for them
        "ASSISTANT_STAFF_TELEGRAM_IDS": STAFF_TELEGRAM_ID,
        "ASSISTANT_STAFF_ZALO_IDS": STAFF_ZALO_ID,
        "ASSISTANT_CHART_URL_SECRET": CHART_SECRET,
    }
    actions = ActionServer(env=env, log_dir=base).start()
    rasa = RasaServer(actions_url=actions.webhook_url, log_dir=base)
    try:
        rasa.start()
        yield Stack(rasa, actions, faq_dir, charts_dir, ROLE_SECRET, env)
    finally:
        rasa.stop()
        actions.stop()
