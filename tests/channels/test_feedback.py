"""👍/👎 after FAQ answers: web widget endpoint, Telegram inline buttons, Zalo buttons.

The real Rasa + action server answer; the turn row is written here as the analytics consumer
would write it (same user-message timestamp and entry), then the channel's button stores the
vote in that row's ``feedback`` column — and the vote never reaches Rasa.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine

from analytics.schema import TurnRecord, turns
from channels.app import create_app
from channels.gateway import build_gateway
from channels.telegram import ALLOWED_UPDATES, TelegramBridge
from inbox import store
from inbox.feedback import Vote, apply_pending, feedback_payload, parse_vote, record_vote
from inbox.store import open_engine
from settings.services import Settings
from tests.channels.conftest import make_settings, serve
from tests.channels.fake_telegram import FakeTelegram
from tests.channels.fake_zalo import FakeZalo
from tests.channels.test_telegram_bridge import TOKEN, _message, _telegram_env, _to_chat, _wait
from tests.channels.test_zalo_bridge import APP_ID, APP_SECRET, _env, _event, _signed
from tests.stack import RasaServer

QUESTION = "Bị mất thẻ bảo hiểm y tế thì làm thế nào để đi khám và xin cấp lại?"
FAQ_ID = "yte-bhyt-mat-the"


def _turn(engine: Engine, vote: Vote, sender: str) -> None:
    """The row the analytics consumer writes for the answered turn."""
    record = TurnRecord(
        turn_id=f"{sender}-{vote.turn_ts}",
        ts=datetime.fromtimestamp(vote.turn_ts, UTC),
        sender=sender,
        channel="test",
        role="citizen",
        decision="answer",
        text=QUESTION,
        faq_id=vote.faq_id,
    )
    row = asdict(record)
    row["suggestions"] = []
    with engine.begin() as conn:
        conn.execute(insert(turns).values(**row))


def _feedback(engine: Engine, faq_id: str = FAQ_ID) -> list[int | None]:
    with engine.connect() as conn:
        return [
            r[0] for r in conn.execute(select(turns.c.feedback).where(turns.c.faq_id == faq_id))
        ]


def _votes(buttons: list[dict[str, Any]], key: str = "payload") -> dict[int, str]:
    found = {}
    for button in buttons:
        vote = parse_vote(button[key])
        if vote is not None:
            found[vote.value] = button[key]
    return found


def test_payload_round_trip_and_malformed_payloads_are_no_vote() -> None:
    payload = feedback_payload(1764489600.123456, FAQ_ID, "down")
    assert parse_vote(payload) == Vote(1764489600.123456, FAQ_ID, -1)
    for bad in [
        "/feedback",
        "/feedback{}",
        '/feedback{"turn":"x","faq_id":"a","value":"up"}',
        '/feedback{"turn":"1764489600","faq_id":"a b","value":"up"}',
        '/feedback{"turn":"1764489600","faq_id":"a","value":"meh"}',
        '/feedback{"turn":"99","faq_id":"a","value":"up"}',
        '/ask_faq{"faq_id":"a"}',
        "xin chào",
        None,
        "/feedback{" + "x" * 5000 + "}",
    ]:
        assert parse_vote(bad) is None, bad


def test_a_vote_before_its_turn_row_waits_and_is_applied_later(tmp_path: Path) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    now = datetime.now(UTC)
    vote = Vote(now.timestamp() - 5, FAQ_ID, 1)
    assert record_vote(engine, vote, now=now)
    with engine.connect() as conn:
        assert len(conn.execute(select(store.pending_feedback)).all()) == 1
    _turn(engine, vote, "late")
    assert apply_pending(engine, now=now) == 1
    assert _feedback(engine) == [1]
    old = Vote(now.timestamp() - 30 * 86400, FAQ_ID, 1)
    assert not record_vote(engine, old, now=now)  # too old to rate


def test_web_widget_vote_is_stored_with_the_turn_and_bad_votes_are_refused(
    rasa: RasaServer, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, rasa.url)
    engine = open_engine(settings.stores.db_url)
    replies = rasa.say(QUESTION, sender="web-fb")
    votes = _votes([b for r in replies for b in r.get("buttons", [])])
    assert set(votes) == {1, -1}, replies
    titles = [b["title"] for r in replies for b in r.get("buttons", [])]
    assert titles == ["👍 Hữu ích", "👎 Chưa đúng ý"]
    vote = parse_vote(votes[1])
    assert vote is not None
    assert vote.faq_id == FAQ_ID
    _turn(engine, vote, "web-fb")
    with serve(create_app(settings)) as url:
        ok = httpx.post(url + "/feedback", content=f'{{"payload": {_json(votes[1])}}}')
        assert ok.status_code == 200, ok.text
        assert ok.headers["access-control-allow-origin"] == "*"
        assert _feedback(engine) == [1]
        changed = httpx.post(url + "/feedback", content=f'{{"payload": {_json(votes[-1])}}}')
        assert changed.status_code == 200
        assert _feedback(engine) == [-1]
        for bad in [b"", b"not json", b'{"payload": "/ask_faq{}"}', b"[1]", b"x" * 5000]:
            assert httpx.post(url + "/feedback", content=bad).status_code == 400
        assert httpx.get(url + "/feedback").status_code == 405
    assert rasa.tracker("web-fb")["latest_message"]["text"] == QUESTION


def _json(text: str) -> str:
    import json

    return json.dumps(text)


async def test_telegram_inline_buttons_store_the_vote(rasa: RasaServer, tmp_path: Path) -> None:
    chat = 5151
    with FakeTelegram() as fake:
        settings = make_settings(tmp_path, rasa.url, **_telegram_env(fake))
        engine = open_engine(settings.stores.db_url)
        async with httpx.AsyncClient() as http:
            bridge = TelegramBridge(settings.telegram, build_gateway(settings, http=http))
            app = bridge.application
            async with app:
                assert app.updater is not None
                await app.updater.start_polling(
                    poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
                )
                await app.start()
                try:
                    await _telegram_vote(fake, bridge, engine, chat)
                finally:
                    await app.updater.stop()
                    await app.stop()
    assert all(call.token == TOKEN for call in fake.calls)
    assert rasa.tracker(f"tg:{chat}")["latest_message"]["text"] == QUESTION


async def _telegram_vote(
    fake: FakeTelegram, bridge: TelegramBridge, engine: Engine, chat: int
) -> None:
    fake.push_update(_message(chat, QUESTION))
    answer = await _wait(
        fake,
        "sendMessage",
        lambda c: _to_chat(chat)(c) and "reply_markup" in c.params,
    )
    keyboard = answer.params["reply_markup"]["inline_keyboard"]
    rows = [
        {"title": row[0]["text"], "payload": bridge.store.decode(row[0]["callback_data"])}
        for row in keyboard
    ]
    votes = _votes(rows)
    down = next(
        row for row in keyboard if bridge.store.decode(row[0]["callback_data"]) == votes[-1]
    )
    vote = parse_vote(votes[-1])
    assert vote is not None
    _turn(engine, vote, f"tg-{chat}")
    fake.push_update(
        {
            "callback_query": {
                "id": "cq-fb",
                "from": {"id": chat, "is_bot": False, "first_name": "Dân"},
                "chat_instance": "ci-fb",
                "data": down[0]["callback_data"],
                "message": {
                    "message_id": 77,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "text": answer.params["text"],
                },
            }
        }
    )
    thanks = bridge.gateway.messages.feedback_thanks
    await _wait(fake, "sendMessage", lambda c: c.params.get("text") == thanks)
    for _ in range(50):
        if _feedback(engine) == [-1]:
            break
        await asyncio.sleep(0.1)
    assert _feedback(engine) == [-1]


@pytest.fixture
def zalo() -> Any:
    with FakeZalo(
        app_id=APP_ID, app_secret_key=APP_SECRET, access_token="at-0", refresh_token="rt-0"
    ) as server:
        yield server


def test_zalo_buttons_store_the_vote(rasa: RasaServer, zalo: FakeZalo, tmp_path: Path) -> None:
    settings: Settings = make_settings(tmp_path, rasa.url, **_env(zalo))
    engine = open_engine(settings.stores.db_url)
    with serve(create_app(settings)) as url:
        hook = url + "/webhooks/zalo"
        raw, headers = _signed(_event("user_send_text", "zu-fb", text=QUESTION))
        assert httpx.post(hook, content=raw, headers=headers).status_code == 200
        (sent,) = zalo.wait_messages(1)
        buttons = sent.body["message"]["attachment"]["payload"]["buttons"]
        votes = _votes(buttons)
        assert {b["type"] for b in buttons} == {"oa.query.show"}
        vote = parse_vote(votes[1])
        assert vote is not None
        _turn(engine, vote, "zalo-zu-fb")
        raw, headers = _signed(_event("user_send_text", "zu-fb", text=votes[1]))
        assert httpx.post(hook, content=raw, headers=headers).status_code == 200
        _, thanks = zalo.wait_messages(2)
        assert thanks.body["message"]["text"] == build_gateway(settings).messages.feedback_thanks
        assert _feedback(engine) == [1]
    assert rasa.tracker("zalo:zu-fb")["latest_message"]["text"] == QUESTION
