"""The Rasa server's own limits (every client) and personal data kept out of logs and trackers.

One Rasa server with strict limits, DEBUG logs and a SQL tracker store (SQLite) behind the
redacting wrapper; the action server is not needed (greetings and refusals are Rasa's own).
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import socketio

from tests.stack import REPO_ROOT, RasaServer, free_port

pytestmark = pytest.mark.e2e

PER_SENDER = 5
BIG = "a" * 200_000  # 200 KB
PERSONAL_TURNS = [
    "tôi tên Nguyễn Văn An, cccd 079123456789, cần làm lại căn cước",
    "số điện thoại của tôi là 0912 345 678, email an.nguyen@gmail.com",
    "thẻ bhyt DN4797912345678 hết hạn, số BHXH 7912345678",
    "gọi lại giúp (028) 3822 1234 hoặc +84 987 654 321, thẻ 4111 1111 1111 1111",
]
RAW_PII = [
    "079123456789",
    "0912 345 678",
    "an.nguyen@gmail.com",
    "DN4797912345678",
    "7912345678",
    "3822 1234",
    "987 654 321",
    "4111 1111 1111 1111",
]


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("trackers") / "trackers.db"


@pytest.fixture(scope="module")
def endpoints(tmp_path_factory: pytest.TempPathFactory, db_path: Path) -> Path:
    endpoints = tmp_path_factory.mktemp("endpoints") / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n  url: ${ASSISTANT_ACTIONS_URL}\n"
        "tracker_store:\n  type: assistant.tracker_store.RedactingTrackerStore\n"
        f"  wrapped:\n    type: sql\n    dialect: sqlite\n    db: {db_path}\n"
        # the embedded default's event broker (analytics), next to the trackers
        f"event_broker:\n  type: SQL\n  dialect: sqlite\n  db: {db_path.with_name('events.db')}\n",
        encoding="utf-8",
    )
    return endpoints


@pytest.fixture(scope="module")
def rasa(tmp_path_factory: pytest.TempPathFactory, endpoints: Path) -> Iterator[RasaServer]:
    base = tmp_path_factory.mktemp("limits")
    server = RasaServer(
        actions_url=f"http://127.0.0.1:{free_port()}/webhook",
        log_dir=base,
        endpoints=endpoints,
        env={
            "ASSISTANT_RATE_LIMIT_PER_MIN": str(PER_SENDER),
            "ASSISTANT_RATE_LIMIT_EXEMPT_CLIENTS": "",
            "ASSISTANT_MAX_BODY_BYTES": "1000000",
            "LOG_LEVEL": "DEBUG",
        },
    ).start()
    try:
        yield server
    finally:
        server.stop()


def _sender() -> str:
    return f"limits-{uuid.uuid4().hex[:10]}"


def _post(rasa: RasaServer, body: bytes | dict) -> httpx.Response:
    url = f"{rasa.url}/webhooks/rest/webhook"
    if isinstance(body, bytes):
        return httpx.post(url, content=body, timeout=60)
    return httpx.post(url, json=body, timeout=60)


def _rss_kb(pid: int | None) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_200_kb_message_over_rest_is_refused_fast_then_next_turn_is_normal(
    rasa: RasaServer,
) -> None:
    sender = _sender()
    rasa.say("xin chào", sender=f"warm-{sender}")
    before = _rss_kb(rasa.pid)
    for _ in range(3):
        start = time.perf_counter()
        response = _post(rasa, {"sender": sender, "message": BIG})
        elapsed = time.perf_counter() - start
        assert response.status_code == 200
        assert "ký tự" in response.json()[0]["text"]
        assert elapsed < 2.0
    assert _rss_kb(rasa.pid) - before < 30_000  # never parsed by the NLU pipeline
    reply = rasa.say("xin chào", sender=sender)
    assert "Xin chào" in " ".join(m.get("text", "") for m in reply)


def test_rest_body_over_the_cap_and_malformed_bodies_are_4xx(rasa: RasaServer) -> None:
    huge = json.dumps({"sender": _sender(), "message": "a" * 1_100_000}).encode()
    assert _post(rasa, huge).status_code == 413
    for body in (b"{not json", b"[1, 2]", b'{"sender": [1], "message": "hi"}', b'{"message": 5}'):
        response = _post(rasa, body)
        assert response.status_code == 400, body


def test_rate_limit_over_rest(rasa: RasaServer) -> None:
    sender = _sender()
    statuses = [
        _post(rasa, {"sender": sender, "message": "chào bạn"}).status_code
        for _ in range(PER_SENDER)
    ]
    assert statuses == [200] * PER_SENDER
    refused = _post(rasa, {"sender": sender, "message": "chào bạn"})
    assert refused.status_code == 429
    assert "hơi nhanh" in refused.json()[0]["text"]
    # another sender is not affected
    assert _post(rasa, {"sender": _sender(), "message": "chào bạn"}).status_code == 200


def test_200_kb_message_over_socketio_is_refused_then_next_turn_is_normal(
    rasa: RasaServer,
) -> None:
    replies: queue.Queue[dict] = queue.Queue()
    sessions: queue.Queue[str] = queue.Queue()
    client = socketio.Client()
    client.on("bot_uttered", replies.put)
    client.on("session_confirm", sessions.put)
    client.connect(rasa.url, socketio_path="/socket.io", transports=["polling"])
    try:
        session = _sender()
        client.emit("session_request", {"session_id": session})
        assert sessions.get(timeout=30) == session
        start = time.perf_counter()
        client.emit("user_uttered", {"message": BIG, "session_id": session})
        refusal = replies.get(timeout=30)
        assert time.perf_counter() - start < 5.0
        assert "ký tự" in refusal["text"]
        client.emit("user_uttered", {"message": "xin chào", "session_id": session})
        assert "Xin chào" in replies.get(timeout=60)["text"]
    finally:
        client.disconnect()


def test_personal_data_reaches_neither_the_logs_nor_the_tracker_store(
    rasa: RasaServer, db_path: Path
) -> None:
    sender = _sender()
    for text in PERSONAL_TURNS:
        rasa.say(text, sender=sender)
    tracker = json.dumps(rasa.tracker(sender), ensure_ascii=False)
    assert "<id>" in tracker
    assert "<phone>" in tracker
    with sqlite3.connect(db_path) as conn:
        stored = " ".join(row[0] for row in conn.execute("SELECT data FROM events"))
    assert "<email>" in stored
    log = rasa.log()
    assert "<id>" in log  # DEBUG logs on: the user's text is logged, redacted
    for raw in RAW_PII:
        assert raw not in tracker, raw
        assert raw not in stored, raw
        assert raw not in log, raw


def _privacy(endpoints: Path, tmp_path: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ASSISTANT_VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "stores.privacy", "--endpoints", str(endpoints), *args],
        capture_output=True, text=True, env=env, check=True, cwd=REPO_ROOT,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


def test_privacy_export_and_forget_one_person_in_the_real_tracker_store(
    rasa: RasaServer, endpoints: Path, tmp_path: Path
) -> None:
    sender, other = _sender(), _sender()
    rasa.say("số điện thoại của tôi là 0912 345 678", sender=sender)
    rasa.say("xin chào", sender=other)
    exported = _privacy(endpoints, tmp_path, "export", sender)
    texts = [e.get("text") for e in exported["tracker_events"] if e.get("event") == "user"]
    assert texts == ["số điện thoại của tôi là <phone>"]
    broker_texts = [e.get("text") for e in exported["broker_events"] if e.get("event") == "user"]
    assert broker_texts == texts  # Rasa's SQL event broker holds the same (redacted) events
    counts = _privacy(endpoints, tmp_path, "forget", sender)
    assert counts["tracker_events"] == len(exported["tracker_events"])
    assert counts["broker_events"] == len(exported["broker_events"])
    after = _privacy(endpoints, tmp_path, "export", sender)
    assert after["tracker_events"] == after["broker_events"] == []
    kept = _privacy(endpoints, tmp_path, "export", other)
    assert kept["tracker_events"]
    assert kept["broker_events"]
