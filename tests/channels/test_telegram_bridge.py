"""The real Telegram bridge (ptb Application) against a local Bot API server and the real Rasa."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from channels.app import create_app
from channels.gateway import build_gateway
from channels.telegram import ALLOWED_UPDATES, TelegramBridge
from tests.channels.conftest import make_settings, serve
from tests.channels.fake_telegram import Call, FakeTelegram
from tests.stack import RasaServer

TOKEN = "123456:TEST-token"
SECRET = "s3cret_Token-42"


def _message(
    chat_id: int, text: str, *, message_id: int = 1, group_member: int | None = None
) -> dict[str, Any]:
    chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Dân"}
    if group_member is not None:
        chat = {"id": chat_id, "type": "group", "title": "Tổ dân phố 5"}
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": group_member or chat_id, "is_bot": False, "first_name": "Dân"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": message}


def _to_chat(chat_id: int):  # type: ignore[no-untyped-def]
    def predicate(call: Call) -> bool:
        return int(call.params.get("chat_id", 0)) == chat_id

    return predicate


def _telegram_env(fake: FakeTelegram, **extra: str) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
        **extra,
    }


async def _wait(fake: FakeTelegram, method: str, predicate) -> Call:  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(fake.wait_for, method, predicate, timeout_s=90)


async def test_polling_bridge_answers_commands_text_and_button_presses(
    rasa: RasaServer, tmp_path: Path
) -> None:
    chat = 4242
    with FakeTelegram() as fake:
        settings = make_settings(tmp_path, rasa.url, **_telegram_env(fake))
        assert settings.telegram.enabled
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
                    await _run_polling_conversation(fake, bridge, rasa, chat)
                finally:
                    await app.updater.stop()
                    await app.stop()
    assert all(call.token == TOKEN for call in fake.calls)


async def _run_polling_conversation(
    fake: FakeTelegram, bridge: TelegramBridge, rasa: RasaServer, chat: int
) -> None:
    messages = bridge.gateway.messages
    fake.push_update(_message(chat, "/start"))
    start = await _wait(fake, "sendMessage", _to_chat(chat))
    assert start.params["text"] == messages.telegram_start
    await _wait(fake, "sendMessage", lambda c: c.params["text"] == messages.privacy_notice)

    fake.push_update(_message(chat, "/help", message_id=2))
    await _wait(fake, "sendMessage", lambda c: c.params["text"] == messages.telegram_help)

    # a greeting: the same reply Rasa gives over REST, buttons as an inline keyboard
    probe = [m for m in rasa.say("xin chào", sender="tg-probe") if m.get("text")]
    fake.push_update(_message(chat, "xin chào", message_id=3))
    greeting = await _wait(fake, "sendMessage", lambda c: c.params["text"] == probe[-1]["text"])
    typing = await _wait(fake, "sendChatAction", _to_chat(chat))
    assert typing.params["action"] == "typing"
    keyboard = greeting.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in probe[-1]["buttons"]]
    assert all(len(row[0]["callback_data"].encode()) <= 64 for row in keyboard)

    # pressing a button: callback answered first, then its payload goes to Rasa as tg:<chat>
    before = len(fake.calls)
    payload = probe[-1]["buttons"][0]["payload"]
    fake.push_update(
        {
            "callback_query": {
                "id": "cq-1",
                "from": {"id": chat, "is_bot": False, "first_name": "Dân"},
                "chat_instance": "ci-1",
                "data": keyboard[0][0]["callback_data"],
                "message": {
                    "message_id": 99,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "text": greeting.params["text"],
                },
            }
        }
    )
    answered = await _wait(fake, "answerCallbackQuery", lambda c: True)
    assert answered.params["callback_query_id"] == "cq-1"
    await _wait(
        fake,
        "sendMessage",
        lambda c: any(c is x for x in fake.calls[before:]) and _to_chat(chat)(c),
    )
    methods = fake.methods()[before:]
    assert methods.index("answerCallbackQuery") < methods.index("sendMessage")
    latest = rasa.tracker(f"tg:{chat}")["latest_message"]
    assert latest["text"] == payload
    assert latest["metadata"] == {"channel": "telegram", "user_id": str(chat)}

    # an over-long message is refused politely without reaching Rasa
    fake.push_update(_message(chat, "a " * 800, message_id=4))
    too_long = messages.too_long.format(max_chars=1000)
    await _wait(fake, "sendMessage", lambda c: c.params["text"] == too_long)
    assert rasa.tracker(f"tg:{chat}")["latest_message"]["text"] == payload


def test_webhook_mode_registers_secret_and_rejects_wrong_tokens(
    rasa: RasaServer, tmp_path: Path
) -> None:
    chat = 5151
    with FakeTelegram() as fake:
        env = _telegram_env(
            fake,
            TELEGRAM_MODE="webhook",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_WEBHOOK_URL="https://ioc.example.gov.vn/webhooks/telegram",
        )
        with serve(create_app(make_settings(tmp_path, rasa.url, **env))) as url:
            registered = fake.wait_for("setWebhook", timeout_s=30)
            assert registered.params["url"] == "https://ioc.example.gov.vn/webhooks/telegram"
            assert registered.params["secret_token"] == SECRET
            assert "getUpdates" not in fake.methods()

            update = {"update_id": 10, **_message(chat, "xin chào")}
            hook = url + "/webhooks/telegram"
            wrong = httpx.post(
                hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            missing = httpx.post(hook, json=update)
            assert (wrong.status_code, missing.status_code) == (403, 403)
            bad_json = httpx.post(
                hook, content=b"{", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert bad_json.status_code == 400
            malformed = httpx.post(
                hook,
                json={"update_id": 11, "message": "not an object"},
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert malformed.status_code == 400
            assert "sendMessage" not in fake.methods()

            probe = [m for m in rasa.say("xin chào", sender="tg-probe-hook") if m.get("text")]
            ok = httpx.post(hook, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert ok.status_code == 200
            sent = fake.wait_for("sendMessage", _to_chat(chat), timeout_s=90)
            assert sent.params["text"] == probe[0]["text"]
            assert httpx.get(url + "/health").json()["channels"] == ["web", "telegram"]


def test_group_chats_are_answered_as_a_citizen_even_for_staff(
    rasa: RasaServer, tmp_path: Path
) -> None:
    chat, staff_member = -100777, 4343
    with FakeTelegram() as fake:
        env = _telegram_env(
            fake,
            TELEGRAM_MODE="webhook",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            ASSISTANT_STAFF_TELEGRAM_IDS=str(staff_member),
        )
        with serve(create_app(make_settings(tmp_path, rasa.url, **env))) as url:
            update = {"update_id": 20, **_message(chat, "xin chào", group_member=staff_member)}
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ok = httpx.post(url + "/webhooks/telegram", json=update, headers=headers)
            assert ok.status_code == 200
            fake.wait_for("sendMessage", _to_chat(chat), timeout_s=90)
    # staff answers are never shown to a group: the member is not identified to the bot
    latest = rasa.tracker(f"tg:{chat}")["latest_message"]
    assert latest["metadata"]["channel"] == "telegram"
    assert "role_token" not in latest["metadata"]  # no staff claim is minted for a group
