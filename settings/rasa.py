"""Settings of the Rasa runtime and ``bin/assistant`` (Python 3.10, standard library only).

Read once with :func:`load_rasa_settings`: the real environment over ``.env``. Variables shared
with the services runtime take their default from :mod:`settings.defaults`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from settings.defaults import (
    ACTIONS_URL,
    CACHE_DIR,
    DATA_DIR,
    ENV_FILE,
    EVENTS_DB_NAME,
    LOG_LEVEL,
    MAX_MESSAGE_CHARS,
    PUBLIC_URL,
    RATE_LIMIT_PER_MIN,
    TRACKER_DB_NAME,
    VAR_DIR,
    resolve_path,
)

__all__ = ["RasaSettings", "RasaSettingsError", "load_rasa_settings"]

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class RasaSettingsError(ValueError):
    """A setting of the Rasa runtime is invalid (the message names variable, value and fix)."""


def _var(default: Any, env: str, doc: str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class RasaSettings:
    data_dir: Path = _var(DATA_DIR, "ASSISTANT_DATA_DIR", "")
    var_dir: Path = _var(VAR_DIR, "ASSISTANT_VAR_DIR", "")
    cache_dir: Path = _var(CACHE_DIR, "TROLYAO_CACHE", "")
    log_level: str = _var(LOG_LEVEL, "ASSISTANT_LOG_LEVEL", "")
    actions_url: str = _var(
        ACTIONS_URL, "ASSISTANT_ACTIONS_URL", "where Rasa calls the actions (endpoints.yml)"
    )
    actions_timeout_s: float = _var(
        30.0,
        "ASSISTANT_ACTIONS_TIMEOUT_S",
        "a custom action slower than this gets the apology instead",
    )
    model: str = _var(
        "",
        "ASSISTANT_MODEL",
        "trained Rasa model (set by the Makefile / bin/assistant; override to use another)",
    )
    rasa_python: str = _var(
        "", "ASSISTANT_RASA_PYTHON", "interpreter of the Rasa runtime (set by the Makefile)"
    )
    services_python: str = _var(
        "", "ASSISTANT_SVC_PYTHON", "interpreter of the services runtime (set by the Makefile)"
    )
    nlu_encoder_dir: str = _var(
        "",
        "ASSISTANT_NLU_ENCODER_DIR",
        "sentence encoder folder of the NLU's dense features (onnx/model.onnx, tokenizer.json); "
        "scripts/model.sh sets it for training, a trained model remembers it; set it only when "
        "the same weights live elsewhere at run time",
    )
    role_secret: str = _var("", "ASSISTANT_ROLE_SECRET", "")
    # --- limits of the Rasa server's own channels (REST, socket.io): every client, not only ours
    max_message_chars: int = _var(MAX_MESSAGE_CHARS, "ASSISTANT_MAX_MESSAGE_CHARS", "")
    rate_limit_per_min: int = _var(RATE_LIMIT_PER_MIN, "ASSISTANT_RATE_LIMIT_PER_MIN", "")
    max_body_bytes: int = _var(
        1_000_000,
        "ASSISTANT_MAX_BODY_BYTES",
        "largest request body / socket.io packet the Rasa server reads (larger: 413 or dropped)",
    )
    client_rate_limit_per_min: int = _var(
        300,
        "ASSISTANT_CLIENT_RATE_LIMIT_PER_MIN",
        "messages per client address per minute on the Rasa server's REST and socket.io channels",
    )
    rate_limit_exempt_clients: str = _var(
        "127.0.0.1,::1",
        "ASSISTANT_RATE_LIMIT_EXEMPT_CLIENTS",
        "comma-separated client addresses without the per-client limit (the services bridges, "
        "which limit each user themselves); empty = none",
    )
    max_live_conversations: int = _var(
        10_000,
        "ASSISTANT_MAX_LIVE_CONVERSATIONS",
        "conversations kept by an in-memory tracker store (least recently active dropped first)",
    )
    redis_url: str = _var("", "ASSISTANT_REDIS_URL", "")
    actions_token: str = _var("", "ASSISTANT_ACTIONS_TOKEN", "")
    api_token: str = _var(
        "",
        "ASSISTANT_RASA_API_TOKEN",
        "Rasa's HTTP API (trackers, events, model): off when empty; when set, on and "
        "requiring ?token=<this> (rasa run --auth-token)",
    )
    cors_origins: str = _var(
        PUBLIC_URL,
        "ASSISTANT_RASA_CORS_ORIGINS",
        "space- or comma-separated origins allowed to call Rasa from a browser (the pages "
        "that embed the widget); never '*' in production",
    )

    @property
    def cors_list(self) -> list[str]:
        """The configured CORS origins, one per item."""
        return [part for part in self.cors_origins.replace(",", " ").split() if part]

    tracker_db_file: str = _var(
        "",
        "ASSISTANT_TRACKER_DB",
        "SQLite file of Rasa's SQL tracker store in the embedded default (endpoints.yml): "
        "conversations survive a restart",
    )
    events_db_file: str = _var(
        "",
        "ASSISTANT_EVENTS_DB",
        "SQLite file of Rasa's SQL event broker in the embedded default (endpoints.yml); "
        "the analytics consumer reads its events table",
    )

    @property
    def tracker_db(self) -> Path:
        """Rasa's tracker store file (default ``<var dir>/rasa_tracker.sqlite3``)."""
        if self.tracker_db_file:
            return resolve_path(self.tracker_db_file)
        return self.var_dir / TRACKER_DB_NAME

    @property
    def events_db(self) -> Path:
        """Rasa's SQL event broker file (default ``<var dir>/rasa_events.sqlite3``)."""
        if self.events_db_file:
            return resolve_path(self.events_db_file)
        return self.var_dir / EVENTS_DB_NAME

    @property
    def lexicon_dir(self) -> Path:
        return self.data_dir / "lexicon"

    def require_services_python(self) -> str:
        """The services interpreter, or a clear error when started outside make/bin."""
        if not self.services_python:
            raise RasaSettingsError(
                "ASSISTANT_SVC_PYTHON is not set: run through bin/assistant or make"
            )
        return self.services_python


def _read_env_file(path: Path) -> dict[str, str]:
    try:
        from dotenv import dotenv_values
    except ImportError:  # the Rasa runtime's lock has python-dotenv; be clear if it does not
        raise RasaSettingsError(
            "python-dotenv is missing from the Rasa runtime; run 'make setup'"
        ) from None
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_rasa_settings(
    env: Mapping[str, str] | None = None, *, env_file: Path | None = ENV_FILE
) -> RasaSettings:
    """Validated settings from ``env`` (default: the real environment over ``.env``)."""
    if env is None:
        merged = _read_env_file(env_file) if env_file is not None and env_file.is_file() else {}
        merged.update(os.environ)
        env = merged
    values: dict[str, Any] = {}
    problems: list[str] = []
    for spec in fields(RasaSettings):
        raw = str(env.get(spec.metadata["env"], "") or "").strip()
        if not raw:
            continue
        name = spec.metadata["env"]
        if spec.type in ("Path", Path):
            values[spec.name] = resolve_path(raw)
        elif spec.type in ("int", int):
            if not raw.isdigit():
                problems.append(f"{name}={raw!r}: not a whole number; e.g. {name}={spec.default}")
                continue
            values[spec.name] = int(raw)
        elif spec.type in ("float", float):
            try:
                values[spec.name] = float(raw)
            except ValueError:
                problems.append(f"{name}={raw!r}: not a number; e.g. {name}={spec.default}")
        else:
            values[spec.name] = raw
    level = str(values.get("log_level", LOG_LEVEL)).upper()
    if level not in _LOG_LEVELS:
        problems.append(f"ASSISTANT_LOG_LEVEL={level!r}: use one of {', '.join(_LOG_LEVELS)}")
    values["log_level"] = level
    if problems:
        raise RasaSettingsError("invalid settings (see .env.example):\n  " + "\n  ".join(problems))
    return RasaSettings(**values)
