"""Helpers shared by the ioc tests (imported as a top-level module by pytest's rootdir path)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from ioc.service import IocService
from ioc.source import Source
from settings.defaults import REPO_ROOT
from settings.services import Settings, load_settings
from tests.stack import free_port, wait_http

TODAY = date(2024, 6, 15)  # a Saturday
SEED_NOW = datetime(2024, 6, 15, 23, 59)


def start_demo_api(db: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``python -m tools.iocdemo.api`` on a free port and wait for /v1/health."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.iocdemo.api",
            "--port",
            str(port),
            "--db-url",
            f"sqlite:///{db}",
            *extra,
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/v1/health", timeout_s=30, proc=proc)
    except RuntimeError as exc:
        proc.kill()
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise RuntimeError(f"demo API did not start: {exc}\n{stderr}") from exc
    return proc, url


def make_settings(db_path: Path | None, charts_dir: Path) -> Settings:
    """Settings with the IOC store at ``db_path`` (None: the default) and charts in a temp dir."""
    env = {"ASSISTANT_CHARTS_DIR": str(charts_dir)}
    if db_path is not None:
        env["ASSISTANT_IOC_DB_URL"] = f"sqlite:///{db_path}"
    return load_settings(env)


def make_service(settings: Settings, *, source: Source | None = None) -> IocService:
    return IocService(
        settings.paths, settings.ioc, public_url=settings.web.public_url, source=source
    )
