"""What the ``bin/assistant domain`` and ``faq`` commands share: settings, workspace, output."""

from __future__ import annotations

import getpass
import json
import logging
import sys
from typing import Any

from editorial.workspace import Workspace
from settings.services import Settings, settings_or_exit

__all__ = [
    "EXIT_INVALID",
    "EXIT_SERVERS",
    "EXIT_USAGE",
    "author_default",
    "emit",
    "fail",
    "open_workspace",
]

EXIT_INVALID = 1  # the draft or the input is invalid: nothing was changed
EXIT_USAGE = 2
EXIT_SERVERS = 3  # published, but a running action server refused or did not swap in time


def open_workspace() -> tuple[Settings, Workspace]:
    """The settings and the workspace they describe (a settings problem exits with its fix)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("retrieval.corpus").setLevel(logging.CRITICAL)  # errors are printed by us
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    settings = settings_or_exit(prefix="lỗi")  # exits with EXIT_USAGE
    return settings, Workspace.from_settings(settings)


def author_default() -> str:
    """Who runs the command (the login name), recorded with each version."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def emit(as_json: bool, data: Any, text: str) -> None:
    """Print ``data`` as JSON or ``text`` for a person."""
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    elif text:
        print(text)


def fail(message: str, code: int = EXIT_INVALID) -> Any:
    """Print an error (``lỗi:``) to stderr and exit with ``code``."""
    print(f"lỗi: {message}", file=sys.stderr)
    raise SystemExit(code)
