"""Rasa's action call, as rasa 3.6 posts it to the action server's ``/webhook`` (for load tests)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.stack import ACTIONS_TOKEN

__all__ = ["action_request", "run_action", "slots"]


def action_request(
    action: str,
    text: str,
    *,
    sender: str,
    intent: str,
    metadata: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The JSON body Rasa sends to run ``action`` after the user said ``text``."""
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.93},
        "entities": entities or [],
        "metadata": metadata or {"channel": "rest"},
        "message_id": f"{sender}-{time.monotonic_ns()}",
    }
    events = [
        {"event": "action", "name": "action_session_start", "timestamp": time.time()},
        {"event": "session_started", "timestamp": time.time()},
        {"event": "action", "name": "action_listen", "timestamp": time.time()},
        {"event": "user", "text": text, "parse_data": message, "timestamp": time.time()},
    ]
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": message,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_event_time": time.time(),
        },
    }


def run_action(client: httpx.Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``body`` to ``url``/webhook with the test token; the action's JSON reply (200)."""
    response = client.post(f"{url}/webhook", json=body, params={"token": ACTIONS_TOKEN})
    assert response.status_code == 200, response.text
    return dict(response.json())


def slots(reply: dict[str, Any]) -> dict[str, Any]:
    """Slots the action set, by name."""
    return {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"}
