"""Defaults shared by both runtimes' settings: each is defined here once (stdlib only)."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ACTIONS_URL",
    "CACHE_DIR",
    "DATA_DIR",
    "ENV_FILE",
    "EVENTS_DB_NAME",
    "LOG_LEVEL",
    "MAX_MESSAGE_CHARS",
    "PUBLIC_URL",
    "RASA_URL",
    "RATE_LIMIT_PER_MIN",
    "REPO_ROOT",
    "TRACKER_DB_NAME",
    "VAR_DIR",
    "resolve_path",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
# `.env` in the checkout: read by every entry point; the real environment wins over it
ENV_FILE = REPO_ROOT / ".env"
DATA_DIR = REPO_ROOT / "data"
VAR_DIR = REPO_ROOT / "var"
CACHE_DIR = Path.home() / ".cache" / "trolyao-ioc"
RASA_URL = "http://127.0.0.1:5005"
ACTIONS_URL = "http://127.0.0.1:5055/webhook"
PUBLIC_URL = "http://127.0.0.1:8080"
LOG_LEVEL = "INFO"
# limits of one turn, enforced by the Rasa server (every client) and the services bridges
MAX_MESSAGE_CHARS = 1000
RATE_LIMIT_PER_MIN = 20
# Rasa's SQL tracker store and SQL event broker in the embedded default (files in the var dir)
TRACKER_DB_NAME = "rasa_tracker.sqlite3"
EVENTS_DB_NAME = "rasa_events.sqlite3"


def resolve_path(value: str | Path) -> Path:
    """``~`` expanded; a relative path is taken from the repository root, not the working
    directory, so every process agrees on it wherever it was started."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else REPO_ROOT / path
