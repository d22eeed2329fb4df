"""``python -m assistant.serve [rasa run options]`` — Rasa's own server plus two additions.

1. A polite apology when the action server is down (``assistant.action_fallback``).
2. ``${VAR}`` in the ``--endpoints`` file is expanded from the environment, so one
   ``endpoints.yml`` serves every deployment (Rasa 3.6 reads that file literally).
"""

import atexit
import os
import re
import sys
import tempfile
from typing import List, Optional

from assistant import action_fallback

_UNSET_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_endpoints(path: str) -> str:
    """Write ``path`` with environment variables expanded to a temporary file; return its path."""
    with open(path, encoding="utf-8") as handle:
        text = os.path.expandvars(handle.read())
    missing = sorted(set(_UNSET_VAR.findall(text)))
    if missing:
        raise SystemExit(
            f"{path}: environment variable(s) not set: {', '.join(missing)} (see .env.example)"
        )
    handle, resolved = tempfile.mkstemp(prefix="endpoints-", suffix=".yml")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    atexit.register(os.unlink, resolved)
    return resolved


def _with_expanded_endpoints(args: List[str]) -> List[str]:
    args = list(args)
    for i, arg in enumerate(args):
        if arg == "--endpoints" and i + 1 < len(args):
            args[i + 1] = expand_endpoints(args[i + 1])
        elif arg.startswith("--endpoints="):
            args[i] = "--endpoints=" + expand_endpoints(arg.split("=", 1)[1])
    return args


def main(argv: Optional[List[str]] = None) -> None:
    """Start ``rasa run`` with the apology wrapper and expanded endpoints."""
    action_fallback.install()
    from rasa.__main__ import main as rasa_main

    args = _with_expanded_endpoints(sys.argv[1:] if argv is None else argv)
    sys.argv = ["rasa", "run", *args]
    rasa_main()


if __name__ == "__main__":
    main()
