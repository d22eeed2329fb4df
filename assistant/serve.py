"""``python -m assistant.serve [rasa run options]`` — Rasa's own server plus a polite apology.

Rasa 3.6 sends nothing when a custom action fails; ``assistant.action_fallback`` makes it
apologise instead. ``endpoints.yml`` uses Rasa's own ``${VAR}`` expansion; the settings of this
runtime (environment over ``.env``) provide the variables it names, so plain ``rasa run`` works
too when they are exported.
"""

import os
import sys
from typing import List, Optional

from assistant import action_fallback
from settings.rasa import RasaSettingsError, load_rasa_settings


def main(argv: Optional[List[str]] = None) -> None:
    """Start ``rasa run`` with the apology wrapper."""
    try:
        settings = load_rasa_settings()
    except RasaSettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    # endpoints.yml names these ${VAR}s; Rasa reads them from the process environment
    os.environ["ASSISTANT_ACTIONS_URL"] = settings.actions_url
    for name, path in (
        ("ASSISTANT_TRACKER_DB", settings.tracker_db),
        ("ASSISTANT_EVENTS_DB", settings.events_db),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
        os.environ[name] = str(path)
    action_fallback.install(timeout_s=settings.actions_timeout_s)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", "run", *(sys.argv[1:] if argv is None else argv)]
    rasa_main()


if __name__ == "__main__":
    main()
