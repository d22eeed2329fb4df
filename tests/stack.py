"""Start the real stack for tests: Rasa server (Rasa runtime) and action server (services runtime).

Both run as separate processes on free loopback ports, exactly as ``make run`` starts them.
The trained model comes from ``scripts/model.sh`` (cached by content hash); the Makefile passes
its path in ``ASSISTANT_MODEL``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import httpx

from assistant.services import free_port  # stdlib only: safe in both runtimes
from settings.defaults import REPO_ROOT

__all__ = [
    "ACTIONS_TOKEN",
    "API_TOKEN",
    "REPO_ROOT",
    "ActionServer",
    "RasaServer",
    "free_port",
    "model_path",
    "rasa_python",
    "services_python",
    "wait_http",
]


# the test stack's shared secrets (make run generates its own; production sets them)
ACTIONS_TOKEN = "test-actions-token-0123456789abcdef"
API_TOKEN = "test-rasa-api-token-0123456789abcdef"


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the tests with 'make test'")
    return value


def rasa_python() -> str:
    """Interpreter of the Rasa runtime."""
    return _required_env("ASSISTANT_RASA_PYTHON")


def services_python() -> str:
    """Interpreter of the services runtime."""
    return _required_env("ASSISTANT_SVC_PYTHON")


def model_path() -> Path:
    """The trained Rasa model (``scripts/model.sh`` output)."""
    return Path(_required_env("ASSISTANT_MODEL"))


def wait_http(url: str, *, timeout_s: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Poll ``url`` until it answers 200; fail early if ``proc`` died."""
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after {timeout_s:.0f} s: {last}")


@dataclass
class _Process:
    proc: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _spawn(cmd: list[str], env: dict[str, str], log_dir: Path, name: str) -> _Process:
    log_path = log_dir / f"{name}.log"
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=full_env, stdout=log, stderr=log)
    return _Process(proc, log_path)


class _Server:
    """A server process on a free loopback port, ready once ``ready_path`` answers 200."""

    name = "server"
    ready_path = "/health"
    default_timeout_s = 180.0

    def __init__(self, *, log_dir: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_dir = log_dir or Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self._process: _Process | None = None

    def _command(self) -> tuple[list[str], dict[str, str]]:
        raise NotImplementedError

    def start(self, *, timeout_s: float | None = None) -> Self:
        """Spawn the process and wait until it is ready (its log is in the error if not)."""
        cmd, env = self._command()
        self._process = _spawn(cmd, env, self._log_dir, f"{self.name}-{self.port}")
        try:
            wait_http(
                f"{self.url}{self.ready_path}",
                timeout_s=timeout_s or self.default_timeout_s,
                proc=self._process.proc,
            )
        except RuntimeError as exc:
            log = self._process.log()[-5000:]
            raise RuntimeError(f"{exc}\n--- {self.name} log ---\n{log}") from exc
        return self

    def stop(self) -> None:
        if self._process:
            self._process.stop()

    def log(self) -> str:
        return self._process.log() if self._process else ""


class ActionServer(_Server):
    """``python -m actions`` (rasa-sdk's app, single process) on a free port.

    It serves ``ASSISTANT_FAQ_DIR`` as it is (development mode, ``ASSISTANT_FAQ_SERVE=draft``)
    unless ``env`` asks for the published version (then give it its own ``ASSISTANT_DB_URL``).
    It requires Rasa's shared token: :attr:`token` (``ASSISTANT_ACTIONS_TOKEN`` of ``env``, else
    :data:`ACTIONS_TOKEN`); direct calls pass ``params=server.auth``.
    """

    name = "actions"

    def __init__(self, *, env: dict[str, str] | None = None, log_dir: Path | None = None):
        super().__init__(log_dir=log_dir)
        self.webhook_url = f"{self.url}/webhook"
        self._env = {
            "ASSISTANT_FAQ_SERVE": "draft",
            "ASSISTANT_ACTIONS_TOKEN": ACTIONS_TOKEN,
            **(env or {}),
        }
        self.token = self._env["ASSISTANT_ACTIONS_TOKEN"]
        self.auth = {"token": self.token}

    def _command(self) -> tuple[list[str], dict[str, str]]:
        return [services_python(), "-m", "actions", "--port", str(self.port)], self._env


class RasaServer(_Server):
    """``python -m assistant.serve`` (= ``rasa run`` + apology wrapper) on a free port.

    Its HTTP API is on with :data:`API_TOKEN` (``tracker`` passes it); it calls the action server
    with ``actions_token``; any origin may use it from a browser (test pages on random ports).
    """

    name = "rasa"
    ready_path = "/webhooks/rest/"
    default_timeout_s = 240.0

    def __init__(
        self,
        *,
        actions_url: str,
        model: Path | None = None,
        log_dir: Path | None = None,
        env: dict[str, str] | None = None,
        endpoints: Path | None = None,
        actions_token: str = ACTIONS_TOKEN,
        api_token: str = API_TOKEN,
        tracker_db: Path | None = None,
        events_db: Path | None = None,
    ):
        super().__init__(log_dir=log_dir)
        self.actions_url = actions_url
        self.model = model or model_path()
        self._env = env or {}  # extra settings of the Rasa runtime (limits, log level)
        self._endpoints = endpoints or REPO_ROOT / "endpoints.yml"
        self.actions_token = actions_token
        self.api_token = api_token
        # SQL tracker store and SQL event broker (endpoints.yml): own files unless shared on purpose
        self.tracker_db = tracker_db or self._log_dir / f"tracker-{self.port}.sqlite3"
        self.events_db = events_db or self._log_dir / f"events-{self.port}.sqlite3"

    def _command(self) -> tuple[list[str], dict[str, str]]:
        cmd = [
            rasa_python(), "-m", "assistant.serve",
            "--model", str(self.model),
            "--port", str(self.port),
            "--interface", "127.0.0.1",
            "--credentials", str(REPO_ROOT / "credentials.yml"),
            "--endpoints", str(self._endpoints),
        ]  # fmt: skip
        env = {
            "ASSISTANT_ACTIONS_URL": self.actions_url,
            "ASSISTANT_ACTIONS_TOKEN": self.actions_token,
            "ASSISTANT_RASA_API_TOKEN": self.api_token,
            "ASSISTANT_RASA_CORS_ORIGINS": "*",
            "ASSISTANT_TRACKER_DB": str(self.tracker_db),
            "ASSISTANT_EVENTS_DB": str(self.events_db),
            "TF_CPP_MIN_LOG_LEVEL": "3",
        }
        return cmd, {**env, **self._env}

    @property
    def pid(self) -> int | None:
        """The server's process id (memory checks)."""
        return self._process.proc.pid if self._process else None

    def say(self, text: str, *, sender: str, metadata: dict | None = None) -> list[dict]:
        """Send one message over the REST channel and return the bot's messages."""
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        response = httpx.post(f"{self.url}/webhooks/rest/webhook", json=body, timeout=60)
        response.raise_for_status()
        return list(response.json())

    def tracker(self, sender: str) -> dict:
        """The conversation tracker (slots, latest message) of ``sender``."""
        response = httpx.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"token": self.api_token},
            timeout=30,
        )
        response.raise_for_status()
        return dict(response.json())

    def latest_saved(self, sender: str, text: str, *, timeout: float = 15.0) -> dict:
        """The latest user message of ``sender`` once the turn that sent ``text`` is stored.

        Over socket.io Rasa emits the replies while the turn runs and saves the tracker after, so
        a reply seen in a browser does not mean the turn is stored yet: poll until it is.
        """
        deadline = time.monotonic() + timeout
        while True:
            latest = dict(self.tracker(sender)["latest_message"])
            if latest.get("text") == text or time.monotonic() > deadline:
                return latest
            time.sleep(0.1)
