"""``python -m assistant.serve [rasa run options]`` — Rasa's own server plus a polite apology.

Rasa 3.6 sends nothing when a custom action fails; ``assistant.action_fallback`` makes it
apologise instead. ``endpoints.yml`` uses Rasa's own ``${VAR}`` expansion; the settings of this
runtime (environment over ``.env``) provide the variables it names, so plain ``rasa run`` works
too when they are exported.
"""

import os
import sys
from typing import List, Optional

from assistant import action_fallback, store_fallback
from settings.rasa import RasaSettingsError, load_rasa_settings
from vitext import install_log_redaction


def main(argv: Optional[List[str]] = None) -> None:
    """Start ``rasa run`` with the apology wrapper."""
    try:
        settings = load_rasa_settings()
    except RasaSettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    # endpoints.yml names ${ASSISTANT_ACTIONS_URL}; Rasa reads it from the process environment
    os.environ["ASSISTANT_ACTIONS_URL"] = settings.actions_url
    # endpoints.yml's tracker store wrapper bounds the conversations kept in memory
    os.environ["ASSISTANT_MAX_LIVE_CONVERSATIONS"] = str(settings.max_live_conversations)
    # Sanic reads SANIC_* at start: bodies and websocket frames above the cap are refused
    # before they are read (assistant.channels applies the same cap to socket.io packets)
    os.environ["SANIC_REQUEST_MAX_SIZE"] = str(settings.max_body_bytes)
    os.environ["SANIC_WEBSOCKET_MAX_SIZE"] = str(settings.max_body_bytes)
    action_fallback.install(timeout_s=settings.actions_timeout_s)
    # Rasa logs raw user text (at ERROR when a turn times out): redact every record
    install_log_redaction()
    store_fallback.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "run", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
