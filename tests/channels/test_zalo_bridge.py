"""Zalo OA: signed webhook, turn via the real Rasa, OA API and token rotation on a local server."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from channels.app import create_app
from channels.gateway import build_gateway
from channels.messages import Messages
from channels.render import Reply
from channels.zalo import ZaloBridge, ZaloClient, verify_signature
from channels.zalo_store import TokenStore, ZaloOutbox
from tests.channels.conftest import make_settings, serve
from tests.channels.fake_zalo import FakeZalo
from tests.stack import RasaServer

APP_ID = "4321987654"
OA_SECRET = "oa-secret-key"
APP_SECRET = "app-secret-key"


def _env(fake: FakeZalo, **extra: str) -> dict[str, str]:
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET_KEY": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_ACCESS_TOKEN": fake.access_token,
        "ZALO_REFRESH_TOKEN": fake.refresh_token,
        "ZALO_API_BASE": fake.url,
        "ZALO_OAUTH_BASE": fake.url,
        **extra,
    }


def _event(name: str, user_id: str, **message: Any) -> dict[str, Any]:
    ts = str(int(time.time() * 1000))
    event: dict[str, Any] = {"app_id": APP_ID, "event_name": name, "timestamp": ts}
    if name == "follow":
        event["follower"] = {"id": user_id}
    else:
        event["sender"] = {"id": user_id}
        event["recipient"] = {"id": "oa-1"}
        event["message"] = {"msg_id": f"m-{user_id}-{time.monotonic_ns()}", **message}
    return event


def _signed(event: dict[str, Any], *, secret: str = OA_SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode()
    mac = hashlib.sha256((APP_ID + raw.decode() + event["timestamp"] + secret).encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


@pytest.fixture
def fake() -> Iterator[FakeZalo]:
    with FakeZalo(
        app_id=APP_ID, app_secret_key=APP_SECRET, access_token="at-0", refresh_token="rt-0"
    ) as server:
        yield server


@pytest.mark.parametrize(
    ("mutate", "valid"),
    [
        (lambda raw, hdr: (raw, hdr), True),
        (lambda raw, hdr: (raw.replace(b"xin", b"XIN"), hdr), False),
        (lambda raw, hdr: (raw, {"X-ZEvent-Signature": hdr["X-ZEvent-Signature"][4:]}), False),
        (lambda raw, hdr: (raw, {}), False),
        (lambda raw, hdr: (b"not json", hdr), False),
    ],
    ids=["valid", "tampered-body", "no-mac-prefix", "missing", "not-json"],
)
def test_verify_signature(fake: FakeZalo, tmp_path: Path, mutate, valid: bool) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, "http://127.0.0.1:9", **_env(fake))
    assert settings.zalo.enabled
    raw, headers = mutate(*_signed(_event("user_send_text", "u1", text="xin chào")))
    assert verify_signature(settings.zalo, raw, headers.get("X-ZEvent-Signature")) is valid


def test_webhook_rejects_forged_events_and_answers_text_via_rasa(
    rasa: RasaServer, fake: FakeZalo, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, rasa.url, **_env(fake))
    with serve(create_app(settings)) as url:
        hook = url + "/webhooks/zalo"
        raw, headers = _signed(_event("user_send_text", "zu-1", text="xin chào"), secret="guess")
        forged = httpx.post(hook, content=raw, headers=headers)
        assert forged.status_code == 401
        assert fake.messages() == []

        probe = rasa.say("xin chào", sender="zalo-probe")
        raw, headers = _signed(_event("user_send_text", "zu-1", text="xin chào"))
        started = time.monotonic()
        ok = httpx.post(hook, content=raw, headers=headers)
        assert ok.status_code == 200
        assert time.monotonic() - started < 2.0
        (sent,) = fake.wait_messages(1)
        assert sent.body["recipient"] == {"user_id": "zu-1"}
        assert sent.body["message"]["text"] == probe[0]["text"]
        buttons = sent.body["message"]["attachment"]["payload"]["buttons"]
        assert [(b["title"], b["payload"], b["type"]) for b in buttons] == [
            (b["title"], b["payload"], "oa.query.show") for b in probe[0]["buttons"]
        ]
        latest = rasa.tracker("zalo:zu-1")["latest_message"]
        assert latest["metadata"] == {"channel": "zalo", "user_id": "zu-1"}
        assert httpx.get(url + "/health").json()["channels"] == ["web", "zalo"]


def test_expired_token_is_refreshed_once_persisted_and_the_message_retried(
    fake: FakeZalo, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", **_env(fake))
    with serve(create_app(settings)) as url:
        fake.expire_access_token()
        raw, headers = _signed(_event("user_send_image", "zu-2", attachments=[]))
        assert httpx.post(url + "/webhooks/zalo", content=raw, headers=headers).status_code == 200
        (sent,) = fake.wait_messages(1)
        follow_raw, follow_headers = _signed(_event("follow", "zu-3"))
        httpx.post(url + "/webhooks/zalo", content=follow_raw, headers=follow_headers)
        welcome, notice = fake.wait_messages(3)[1:]
    messages = Messages.load(settings.paths.messages_dir / "channels.yml")
    assert sent.body["message"]["text"] == messages.zalo_image
    assert welcome.body == {
        "recipient": {"user_id": "zu-3"},
        "message": {"text": messages.zalo_follow},
    }
    assert notice.body["message"] == {"text": messages.privacy_notice}
    refreshes = [r for r in fake.requests if r.path == "/v4/oa/access_token"]
    assert len(refreshes) == 1
    assert refreshes[0].headers["secret_key"] == APP_SECRET
    assert refreshes[0].body == {
        "app_id": APP_ID,
        "grant_type": "refresh_token",
        "refresh_token": "rt-0",
    }
    first = fake.messages()[0]
    assert first.headers["access_token"] == "at-0"  # rejected with -216, then retried
    stored = json.loads((tmp_path / "var" / "zalo_tokens.json").read_text())
    assert (stored["access_token"], stored["refresh_token"]) == (
        fake.access_token,
        fake.refresh_token,
    )
    assert not (tmp_path / "var" / "zalo_tokens.json.tmp").exists()


def test_token_file_wins_over_environment_after_restart(tmp_path: Path) -> None:
    path = tmp_path / "zalo_tokens.json"
    TokenStore(path, access_token="env-at", refresh_token="env-rt").save("new-at", "new-rt")
    again = TokenStore(path, access_token="env-at", refresh_token="env-rt")
    assert (again.tokens.access_token, again.tokens.refresh_token) == ("new-at", "new-rt")


async def test_replies_outside_the_window_or_over_quota_go_to_the_outbox(
    fake: FakeZalo, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, "http://127.0.0.1:9", **_env(fake))
    assert settings.zalo.enabled
    outbox = ZaloOutbox(
        f"sqlite:///{tmp_path / 'outbox.sqlite3'}", window_s=48 * 3600, max_replies=8
    )
    tokens = TokenStore(tmp_path / "tokens.json", access_token="at-0", refresh_token="rt-0")
    async with httpx.AsyncClient() as http:
        bridge = ZaloBridge(
            build_gateway(settings, http=http), ZaloClient(settings.zalo, tokens, http), outbox
        )
        outbox.user_message("old", now=time.time() - 49 * 3600)
        await bridge.deliver("old", [Reply(text="Cập nhật hồ sơ")])
        outbox.user_message("busy")
        await bridge.deliver("busy", [Reply(text=f"Tin {i}") for i in range(9)])
        await bridge.deliver("stranger", [Reply(text="Chào")])
    sent = [r.body["message"]["text"] for r in fake.messages()]
    assert sent == [f"Tin {i}" for i in range(8)]
    kept = [(row.user_id, row.message["text"], row.reason) for row in outbox.pending()]
    assert kept == [
        ("old", "Cập nhật hồ sơ", "window_expired"),
        ("busy", "Tin 8", "reply_quota"),
        ("stranger", "Chào", "no_user_message"),
    ]
    outbox.close()
