"""Trust boundary against the real stack: staff only from signed claims, Rasa's API and the
action server closed without their tokens (README "Security")."""

from __future__ import annotations

import json
import queue
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
import socketio

from actions.identity import mint_claim
from tests.conftest import STAFF_TELEGRAM_ID, STAFF_ZALO_ID, Stack

pytestmark = pytest.mark.e2e

QUESTION = "số vụ phạm pháp hình sự quý 1 ở Phú Mỹ"  # a staff-only indicator
NOW = "2025-06-15"
WRONG_SECRET = "not-the-role-secret-0123456789abcdef0"


def _sender() -> str:
    return f"sec-{uuid.uuid4().hex[:12]}"


def _spoofs(stack: Stack, sender: str) -> dict[str, Any]:
    """Every way a client may claim to be staff without the signature of this conversation."""
    other = mint_claim("another-conversation", stack.role_secret, ttl_s=600)
    expired = mint_claim(sender, stack.role_secret, ttl_s=1, now=time.time() - 600)
    forged = mint_claim(sender, WRONG_SECRET, ttl_s=600)
    unsigned = jwt.encode({"sid": sender, "role": "staff"}, None, algorithm="none")
    too_long = mint_claim(sender, stack.role_secret, ttl_s=600, now=time.time() - 60) + "=" * 5000
    return {
        "none": {},
        "role": {"role": "staff"},
        "telegram-allow-listed": {"channel": "telegram", "user_id": STAFF_TELEGRAM_ID},
        "telegram-int-id": {"channel": "telegram", "user_id": int(STAFF_TELEGRAM_ID)},
        "zalo-allow-listed": {"channel": "zalo", "user_id": STAFF_ZALO_ID, "role": "staff"},
        "is-staff": {"is_staff": True, "staff": True, "roles": ["staff"]},
        "garbage-token": {"role_token": "forged.token"},
        "non-ascii-token": {"role_token": "ắ.ắ.ắ"},
        "huge-token": {"role_token": "a" * 20_000},
        "dict-token": {"role_token": {"role": "staff", "sid": sender}},
        "list-token": {"role_token": [other]},
        "int-token": {"role_token": 1},
        "other-conversation": {"role_token": other},
        "expired": {"role_token": expired},
        "wrong-key": {"role_token": forged},
        "alg-none": {"role_token": unsigned},
        "padded": {"role_token": too_long},
    }


def _citizen_only(text: str) -> None:
    assert "cán bộ" in text, text
    assert "📊" not in text, text


def _texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


# --- identity over REST ------------------------------------------------------------------------


def test_spoofed_staff_over_rest_gets_citizen_answers(stack: Stack) -> None:
    for name in _spoofs(stack, "any"):
        sender = _sender()
        spoof = _spoofs(stack, sender)[name]
        reply = _texts(stack.rasa.say(QUESTION, sender=sender, metadata={**spoof, "now": NOW}))
        assert "cán bộ" in reply, (name, reply)
        assert "📊" not in reply, (name, reply)
        assert stack.rasa.tracker(sender)["slots"]["indicator"] is None, name


def test_signed_claim_is_staff_only_in_its_own_conversation(stack: Stack) -> None:
    sender, thief = _sender(), _sender()
    metadata = {"role_token": mint_claim(sender, stack.role_secret, ttl_s=600), "now": NOW}
    staff = _texts(stack.rasa.say(QUESTION, sender=sender, metadata=metadata))
    assert "📊 Số vụ phạm pháp hình sự" in staff
    assert stack.rasa.tracker(sender)["slots"]["indicator"]["code"] == "criminal_cases"
    _citizen_only(_texts(stack.rasa.say(QUESTION, sender=thief, metadata=metadata)))


# --- identity over socket.io (Rasa's standard channel, a real python-socketio client) -----------


class _SocketUser:
    """One socket.io conversation as Rasa's channel expects it (session_persistence: true)."""

    def __init__(self, url: str, session: str) -> None:
        self.session = session
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.replies.put)
        confirmed: queue.Queue[Any] = queue.Queue()
        self.client.on("session_confirm", confirmed.put)
        self.client.connect(url, transports=["websocket"], wait_timeout=30)
        self.client.emit("session_request", {"session_id": session})
        confirmed.get(timeout=30)

    def say(self, text: str, metadata: Any) -> str:
        self.client.emit(
            "user_uttered", {"message": text, "session_id": self.session, "metadata": metadata}
        )
        messages = [self.replies.get(timeout=90)]
        while True:  # the rest of this turn's messages follow at once
            try:
                messages.append(self.replies.get(timeout=1.5))
            except queue.Empty:
                return _texts(messages)

    def close(self) -> None:
        self.client.disconnect()


def test_spoofed_staff_over_socketio_gets_citizen_answers(stack: Stack) -> None:
    session = uuid.uuid4().hex
    user = _SocketUser(stack.rasa.url, session)
    try:
        for name, spoof in _spoofs(stack, session).items():
            reply = user.say(QUESTION, {**spoof, "now": NOW} if spoof else {"now": NOW})
            assert "cán bộ" in reply, (name, reply)
            assert "📊" not in reply, (name, reply)
        # metadata as a JSON string (Rasa's socket.io channel decodes it) is no different
        spoof = json.dumps({"role": "staff", "channel": "telegram", "user_id": STAFF_TELEGRAM_ID})
        assert "📊" not in user.say(QUESTION, spoof)
        valid = mint_claim(session, stack.role_secret, ttl_s=600)
        reply = user.say(QUESTION, {"role_token": valid, "now": NOW})
        assert "📊 Số vụ phạm pháp hình sự" in reply, reply
    finally:
        user.close()
    # the same claim, replayed over socket.io in another conversation
    thief = _SocketUser(stack.rasa.url, uuid.uuid4().hex)
    try:
        _citizen_only(thief.say(QUESTION, {"role_token": valid, "now": NOW}))
    finally:
        thief.close()


# --- Rasa's HTTP API and the action server need their tokens ------------------------------------


def test_rasa_api_refuses_calls_without_its_token(stack: Stack) -> None:
    sender = _sender()
    stack.rasa.say("xin chào", sender=sender)
    base = stack.rasa.url
    event = {"event": "slot", "name": "faq_id", "value": "x", "timestamp": time.time()}
    calls = [
        ("GET", f"/conversations/{sender}/tracker", None),
        ("POST", f"/conversations/{sender}/tracker/events", event),
        ("PUT", "/model", {"model_file": "/nonexistent.tar.gz"}),
        ("DELETE", "/model", None),
        ("POST", "/model/train", {}),
        ("GET", "/status", None),
    ]
    for params in ({}, {"token": "wrong"}, {"token": "é"}):
        for method, path, body in calls:
            response = httpx.request(
                method, base + path, params=params, json=body, timeout=30
            )  # fmt: skip
            assert response.status_code in (401, 403), (method, path, params, response.text)
    token = {"token": stack.rasa.api_token}
    read = httpx.get(f"{base}/conversations/{sender}/tracker", params=token, timeout=30)
    assert read.status_code == 200
    assert read.json()["sender_id"] == sender
    append = httpx.post(
        f"{base}/conversations/{sender}/tracker/events", params=token, json=event, timeout=30
    )
    assert append.status_code == 200, append.text
    assert stack.rasa.tracker(sender)["slots"]["faq_id"] == "x"
    # model replace with the token: the same model again, so the session stack keeps serving
    replace = httpx.put(
        f"{base}/model", params=token, json={"model_file": str(stack.rasa.model)}, timeout=300
    )
    assert replace.status_code == 204, replace.text
    assert httpx.get(f"{base}/status", params=token, timeout=30).status_code == 200
    assert "📊" not in _texts(stack.rasa.say(QUESTION, sender=_sender()))


def test_action_server_refuses_calls_without_rasas_token(stack: Stack) -> None:
    from tests.actions.webhook import action_request

    body = action_request("action_answer_faq", "xin chào", sender=_sender(), intent="ask_faq")
    url = f"{stack.actions.url}/webhook"
    for params in ({}, {"token": "wrong"}, {"token": stack.rasa.api_token}):
        response = httpx.post(url, params=params, json=body, timeout=60)
        assert response.status_code == 401, response.text
    ok = httpx.post(url, params=stack.actions.auth, content=json.dumps(body), timeout=120)
    assert ok.status_code == 200
