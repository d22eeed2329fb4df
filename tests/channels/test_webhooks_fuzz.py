"""Property-based fuzzing of the web app's entry points: never a 5xx, whatever arrives.

The app runs in-process (Starlette's TestClient) with the Zalo and Telegram (webhook mode)
channels configured against loopback stand-ins; Rasa is a dead address (a turn that gets that
far answers the polite "unavailable" text). >= 1,000 generated cases per entry point.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from channels.app import create_app
from tests.channels.conftest import make_settings
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo
from tests.stack import free_port

APP_ID, APP_SECRET, OA_SECRET = "fuzz-app", "fuzz-app-secret", "fuzz-oa-secret"
TG_TOKEN, TG_SECRET = "123456:fuzz-token", "fuzz_secret-1"
CASES = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=80)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def _zalo_env(zalo: FakeZalo) -> dict[str, str]:
    return {
        "ZALO_APP_ID": APP_ID,
        "ZALO_APP_SECRET_KEY": APP_SECRET,
        "ZALO_OA_SECRET_KEY": OA_SECRET,
        "ZALO_ACCESS_TOKEN": "at-0",
        "ZALO_REFRESH_TOKEN": "rt-0",
        "ZALO_API_BASE": zalo.url,
        "ZALO_OAUTH_BASE": zalo.url,
        "ASSISTANT_RASA_TIMEOUT_S": "2",
    }


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("fuzz")
    with (
        FakeTelegram() as telegram,
        FakeZalo(
            app_id=APP_ID, app_secret_key=APP_SECRET, access_token="at-0", refresh_token="rt-0"
        ) as zalo,
    ):
        env = {
            "TELEGRAM_BOT_TOKEN": TG_TOKEN,
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "TELEGRAM_API_BASE_FILE_URL": telegram.base_file_url,
            **_zalo_env(zalo),
        }
        app = create_app(make_settings(tmp, f"http://127.0.0.1:{free_port()}", **env))
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client


def _zalo_signed(event: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(event, ensure_ascii=False).encode()
    ts = str(event.get("timestamp"))
    mac = hashlib.sha256((APP_ID + raw.decode() + ts + OA_SECRET).encode()).hexdigest()
    return raw, {"X-ZEvent-Signature": f"mac={mac}", "Content-Type": "application/json"}


def _assert_not_5xx(status: int, what: object) -> None:
    assert status < 500, what


def test_zalo_webhook_with_arbitrary_bodies_and_signatures(client: TestClient) -> None:
    @CASES
    @given(body=st.binary(max_size=3000), signature=st.none() | header_text)
    def check(body: bytes, signature: str | None) -> None:
        headers = {} if signature is None else {"X-ZEvent-Signature": signature}
        response = client.post("/webhooks/zalo", content=body, headers=headers)
        assert response.status_code in (400, 401, 413), (body, signature)

    check()


def test_zalo_webhook_with_signed_arbitrary_events(client: TestClient) -> None:
    # fewer cases: each fresh event runs a whole turn (database, Rasa call, Zalo API call)
    @settings(CASES, max_examples=300)
    @given(
        extra=st.dictionaries(st.text(max_size=12), json_values, max_size=5),
        name=st.sampled_from(["user_send_text", "follow", "user_send_image", "x", ""]),
        message=json_values,
        age_s=st.integers(-3000, 3000) | st.integers(4000, 10**9) | st.integers(-(10**9), -4000),
    )
    def check(extra: dict[str, Any], name: str, message: Any, age_s: int) -> None:
        event = {**extra, "app_id": APP_ID, "event_name": name, "message": message}
        event["sender"] = {"id": "fuzz-user"}
        event["timestamp"] = str(int((time.time() - age_s) * 1000))
        raw, headers = _zalo_signed(event)
        response = client.post("/webhooks/zalo", content=raw, headers=headers)
        _assert_not_5xx(response.status_code, event)
        assert response.status_code == (200 if abs(age_s) <= 3000 else 400), event

    check()


def test_telegram_webhook_with_arbitrary_bodies(client: TestClient) -> None:
    @CASES
    @given(
        body=st.binary(max_size=2000)
        | json_values.map(lambda v: json.dumps(v).encode())
        | st.dictionaries(st.text(max_size=12), json_values, max_size=5).map(
            lambda d: json.dumps({"update_id": 1, **d}).encode()
        ),
        secret=st.sampled_from([TG_SECRET, "", "wrong"]),
    )
    def check(body: bytes, secret: str) -> None:
        response = client.post(
            "/webhooks/telegram",
            content=body,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )
        _assert_not_5xx(response.status_code, body)
        if secret != TG_SECRET:
            assert response.status_code == 403

    check()


def test_web_app_routes_with_arbitrary_paths_and_methods(client: TestClient) -> None:
    paths = st.sampled_from(
        ["/", "/health", "/widget.js", "/widget.css", "/widget-messages.json", "/charts/",
         "/vendor/socket.io.min.js", "/webhooks/zalo", "/webhooks/telegram"]
    )  # fmt: skip
    tails = st.text(
        st.characters(
            min_codepoint=33,
            max_codepoint=0x1F600,
            exclude_categories=("Cc", "Cs"),
            exclude_characters="?#",
        ),
        max_size=60,
    )

    @CASES
    @given(path=paths, tail=tails, method=st.sampled_from(["GET", "POST", "HEAD", "PUT"]))
    def check(path: str, tail: str, method: str) -> None:
        # a leading "//" would make the client read a host name, not a path of ours
        url = "/" + (path + tail).lstrip("/")
        response = client.request(method, url)
        _assert_not_5xx(response.status_code, (method, url))

    check()


def test_oversized_and_deeply_nested_bodies_are_4xx(client: TestClient) -> None:
    nested = b"[" * 100_000 + b"]" * 100_000
    assert client.post("/webhooks/zalo", content=nested).status_code == 413
    deep = b'{"timestamp": "1", "a": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    assert client.post("/webhooks/zalo", content=deep).status_code in (401, 413)
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    response = client.post("/webhooks/telegram", content=b"[" * 30_000, headers=headers)
    assert response.status_code == 400
    assert client.post("/webhooks/telegram", content=nested, headers=headers).status_code == 413


def test_signed_event_replayed_or_redelivered_is_handled_once(tmp_path: Path) -> None:
    """Processed ids are in the SQL database: a second app on the same database (a restart)
    still refuses the replay."""
    with FakeZalo(
        app_id=APP_ID, app_secret_key=APP_SECRET, access_token="at-0", refresh_token="rt-0"
    ) as zalo:
        env = _zalo_env(zalo)
        settings_ = make_settings(tmp_path, f"http://127.0.0.1:{free_port()}", **env)
        ts = str(int(time.time() * 1000))
        event = {
            "app_id": APP_ID,
            "event_name": "follow",
            "timestamp": ts,
            "follower": {"id": "replay-user"},
        }
        raw, headers = _zalo_signed(event)
        with TestClient(create_app(settings_)) as first:
            assert first.post("/webhooks/zalo", content=raw, headers=headers).json() == {"ok": True}
            sent = len(zalo.messages())  # the follow greeting (with the privacy notice)
            assert sent >= 1
            again = first.post("/webhooks/zalo", content=raw, headers=headers).json()
            assert again == {"ok": True, "duplicate": True}
        with TestClient(create_app(settings_)) as restarted:
            again = restarted.post("/webhooks/zalo", content=raw, headers=headers).json()
            assert again == {"ok": True, "duplicate": True}
        assert len(zalo.messages()) == sent  # handled once: nothing sent for the replays
