"""``python -m assistant.serve [rasa run options]`` — Rasa's own server plus the apology wrapper.

Same options as ``rasa run``; ``--enable-api`` is on by default so the tracker endpoint works.
"""
import sys

from assistant import action_fallback


def main(argv: "list[str] | None" = None) -> None:
    """Start ``rasa run`` with the action-unavailable apology installed."""
    action_fallback.install()
    from rasa.__main__ import main as rasa_main

    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["rasa", "run", *args]
    rasa_main()


if __name__ == "__main__":
    main()
