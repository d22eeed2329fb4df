"""Helpers shared by the ioc tests (imported as a top-level module by pytest's rootdir path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import httpx

from ioc.settings import REPO_ROOT

TODAY = date(2024, 6, 15)  # a Saturday
SEED_NOW = datetime(2024, 6, 15, 23, 59)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_demo_api(db: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``python -m ioc.demo_api`` on a free port and wait for /v1/health."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ioc.demo_api",
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"demo API exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("demo API did not start within 30 s")
