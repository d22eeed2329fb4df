"""Fixtures of the channel tests: the real Rasa server (tests/stack.py) and an in-thread uvicorn."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from starlette.applications import Starlette

from settings.services import Settings, load_settings
from tests.stack import RasaServer, free_port


@pytest.fixture(scope="session")
def rasa(request: pytest.FixtureRequest) -> RasaServer:
    """The real Rasa server (socket.io + REST) of the session stack.

    CHANNELS_TEST_RASA_URL=http://127.0.0.1:5005 reuses an already running Rasa server
    (started with ASSISTANT_RASA_API_TOKEN=tests.stack.API_TOKEN and the repo's credentials.yml).
    """
    url = os.environ.get("CHANNELS_TEST_RASA_URL")
    if url:
        server = RasaServer(actions_url="", model=Path("unused"))
        server.url = url.rstrip("/")
        return server
    return request.getfixturevalue("stack").rasa  # type: ignore[no-any-return]


@contextlib.contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """Run `app` with uvicorn on a free loopback port (own thread + loop); yield its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start (see the log above)")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def make_settings(tmp_path: Path, rasa_url: str, **env: str) -> Settings:
    """Settings as `load_settings` reads them, with var/ and charts/ under tmp_path."""
    base = {
        "ASSISTANT_RASA_URL": rasa_url,
        "ASSISTANT_VAR_DIR": str(tmp_path / "var"),
        "ASSISTANT_CHARTS_DIR": str(tmp_path / "charts"),
        "ASSISTANT_RASA_TIMEOUT_S": "90",
    }
    return load_settings({**base, **env})
