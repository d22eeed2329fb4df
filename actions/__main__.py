"""``python -m actions [--port 5055] [--host 127.0.0.1]`` — the Rasa SDK action server, one process.

rasa-sdk 3.21 on Sanic 25 serves from a worker process that re-imports every action module and
must report ready within Sanic's hard-coded 30 s, which a cold start of the retrieval stack on a
busy 2-core server can miss. This serves rasa-sdk's own app (same routes: ``/webhook``,
``/health``, ``/actions``) in a single process instead, after loading every service of
``actions.runtime.REGISTRY``: ``/health`` answers only once the actions can answer.
"""

from __future__ import annotations

import argparse
import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor
from sanic import Request, Sanic
from sanic.exceptions import BadRequest
from sanic.response import HTTPResponse, json

from actions import runtime
from actions.errors import WarmUpError
from actions.health import install_health
from settings.services import SettingsError, get_settings
from vitext import install_log_redaction

REQUIRED_FIELDS = ("next_action", "tracker")


def _reject_malformed_calls(app: Sanic) -> None:
    """Answer 400 (not rasa-sdk's 500) to webhook calls that are not Rasa action requests."""

    @app.on_request
    async def check_webhook_body(request: Request) -> HTTPResponse | None:
        if request.method != "POST" or request.path != "/webhook":
            return None
        try:
            body = request.json
        except BadRequest:
            return json({"error": "body is not JSON"}, status=400)
        missing = [f for f in REQUIRED_FIELDS if not isinstance(body, dict) or f not in body]
        if missing or not isinstance(body.get("tracker"), dict):
            return json(
                {"error": f"not a Rasa action request: missing {', '.join(missing) or 'tracker'}"},
                status=400,
            )
        return None


def main() -> None:
    """Register the actions of this package and serve them."""
    try:
        settings = get_settings()
    except SettingsError as exc:
        raise SystemExit(f"error: {exc}") from None
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=settings.server.actions_host)
    parser.add_argument("--port", type=int, default=settings.server.actions_port)
    args = parser.parse_args()
    logging.basicConfig(
        level=settings.server.log_level,
        format="%(asctime)s %(levelname)s %(name)s - %(message)s",
    )
    install_log_redaction()
    executor = ActionExecutor()
    executor.register_package("actions")
    try:
        runtime.warm_up()
    except WarmUpError as exc:
        raise SystemExit(f"error: {exc}") from None
    app = create_app(executor, cors_origins=None)
    _reject_malformed_calls(app)
    install_health(app)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False,
            motd=False)  # fmt: skip


if __name__ == "__main__":
    main()
