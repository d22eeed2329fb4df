"""``python -m assistant.serve [rasa run options]`` — Rasa's own server plus a polite apology.

Closed by default: Rasa's HTTP API (trackers, events, model, training) is enabled only when
``ASSISTANT_RASA_API_TOKEN`` is set, and then requires it (``--auth-token``); browsers may call
Rasa only from ``ASSISTANT_RASA_CORS_ORIGINS``. The action server's shared token
(``ASSISTANT_ACTIONS_TOKEN``) reaches Rasa through ``endpoints.yml``. These options are the
settings' to decide: ``--enable-api``, ``--auth-token`` and ``--cors`` given here are refused.

Rasa 3.6 sends nothing when a custom action fails; ``assistant.action_fallback`` makes it
apologise instead. ``endpoints.yml`` uses Rasa's own ``${VAR}`` expansion; the settings of this
runtime (environment over ``.env``) provide the variables it names, so plain ``rasa run`` works
too when they are exported.
"""

import os
import sys
from typing import List, Optional

from assistant import action_fallback, speedups, store_fallback
from settings.rasa import RasaSettings, RasaSettingsError, load_rasa_settings
from vitext import install_log_redaction


def main(argv: Optional[List[str]] = None) -> None:
    """Start ``rasa run`` with the apology wrapper."""
    try:
        settings = load_rasa_settings()
    except RasaSettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    args = list(sys.argv[1:] if argv is None else argv)
    overridden = sorted(_OWN_OPTIONS.intersection(arg.split("=")[0] for arg in args))
    if overridden:
        raise SystemExit(
            f"error: {', '.join(overridden)}: set ASSISTANT_RASA_API_TOKEN / "
            "ASSISTANT_RASA_CORS_ORIGINS instead"
        )
    # endpoints.yml names these; Rasa reads them from the process environment
    os.environ["ASSISTANT_ACTIONS_URL"] = settings.actions_url
    os.environ["ASSISTANT_ACTIONS_TOKEN"] = settings.actions_token
    # endpoints.yml's tracker store wrapper bounds the conversations kept in memory
    os.environ["ASSISTANT_MAX_LIVE_CONVERSATIONS"] = str(settings.max_live_conversations)
    # Sanic reads SANIC_* at start: bodies and websocket frames above the cap are refused
    # before they are read (assistant.channels applies the same cap to socket.io packets)
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_body_bytes)
    os.environ["SANIC_WEBSOCKET_MAX_SIZE"] = str(settings.max_body_bytes)
    for name, path in (
        ("ASSISTANT_TRACKER_DB", settings.tracker_db),
        ("ASSISTANT_EVENTS_DB", settings.events_db),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
        os.environ[name] = str(path)
    action_fallback.install(timeout_s=settings.actions_timeout_s)
    # Rasa logs raw user text (at ERROR when a turn times out): redact every record
    install_log_redaction()
    store_fallback.install()
    # Rasa's event deserialisation and action-response check, without the per-call waste
    speedups.install()
    from rasa.__main__ import main as rasa_main

    # set in-process: the tokens never show in the process list
    sys.argv = ["rasa", "run", *args, *rasa_security_args(settings)]
    rasa_main()


_OWN_OPTIONS = {"--enable-api", "--auth-token", "--cors", "--jwt-secret"}


def rasa_security_args(settings: RasaSettings) -> List[str]:
    """``rasa run`` options for the API and CORS, from the settings."""
    args: List[str] = []
    if settings.api_token:
        args += ["--enable-api", "--auth-token", settings.api_token]
    if settings.cors_list:
        args += ["--cors", *settings.cors_list]
    return args


if __name__ == "__main__":
    main()
