"""Start the services-runtime action server from the Rasa runtime (CLI, benchmarks)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Dict, Optional

from settings.defaults import REPO_ROOT
from settings.rasa import RasaSettingsError, load_rasa_settings

__all__ = ["ActionServerProcess", "free_port", "services_python"]


def services_python() -> str:
    """Interpreter of the services runtime (set by bin/assistant and the Makefile)."""
    try:
        return load_rasa_settings().require_services_python()
    except RasaSettingsError as exc:
        raise SystemExit(str(exc)) from None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ActionServerProcess:
    """``python -m rasa_sdk --actions actions`` on a free loopback port."""

    def __init__(self, *, port: Optional[int] = None, env: Optional[Dict[str, str]] = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhook"
        self._env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
        self._proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        """Spawn the server; ``wait_ready`` blocks until it answers."""
        cmd = [services_python(), "-m", "actions", "--port", str(self.port)]
        self._proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=self._env, stdout=subprocess.DEVNULL, stderr=sys.stderr
        )

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        """Poll ``/health`` until the server answers (it loads the FAQ index on start)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc is not None and self._proc.poll() is not None:
                raise SystemExit(f"action server exited with code {self._proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"action server not ready after {timeout_s:.0f} s")

    def stop(self) -> None:
        """Terminate the server and wait for it."""
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
