"""``python -m actions [--port 5055] [--host 127.0.0.1]`` — the Rasa SDK action server, one process.

rasa-sdk 3.21 on Sanic 25 serves from a worker process that re-imports every action module and
must report ready within Sanic's hard-coded 30 s, which a cold start of the retrieval stack on a
busy 2-core server can miss. This serves rasa-sdk's own app (same routes: ``/webhook``,
``/health``, ``/actions``) in a single process instead, after loading every service of
``actions.runtime.REGISTRY``: ``/health`` answers only once the actions can answer.
"""

from __future__ import annotations

import argparse
import gc
import hmac
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


def _require_token(app: Sanic, token: str) -> None:
    """Refuse (401) every call but ``/health`` without Rasa's shared token.

    Rasa sends the ``token`` of ``endpoints.yml``'s ``action_endpoint`` as the query parameter
    ``?token=``; rasa-sdk 3.21 has no check of its own.
    """
    expected = token.encode("utf-8")

    @app.on_request
    async def check_token(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        given = request.args.get("token") or ""
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected):
            return json({"error": "missing or wrong action server token"}, status=401)
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
    if not settings.server.actions_token:
        raise SystemExit(
            "error: ASSISTANT_ACTIONS_TOKEN is empty: the action server accepts only calls that "
            "carry Rasa's shared token (endpoints.yml action_endpoint.token); set it for both "
            "Rasa and the action server (make run generates one)"
        )
    executor = ActionExecutor()
    executor.register_package("actions")
    try:
        runtime.warm_up()
    except WarmUpError as exc:
        raise SystemExit(f"error: {exc}") from None
    # what warm-up loaded (torch, onnxruntime, the index) lives as long as the process: out of
    # the collector's sight, a full collection takes ~0 ms instead of ~150 ms in mid-turn
    gc.collect()
    gc.freeze()
    app = create_app(executor, cors_origins=None)
    _require_token(app, settings.server.actions_token)  # first: nothing is parsed before it
    _reject_malformed_calls(app)
    install_health(app)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False,
            motd=False)  # fmt: skip


if __name__ == "__main__":
    main()
