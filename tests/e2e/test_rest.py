"""End to end over Rasa's REST channel: real Rasa server + real action server on loopback."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import Stack
from tests.stack import RasaServer, free_port

pytestmark = pytest.mark.e2e

HOLDOUT = Path(__file__).parent / "data" / "intent_holdout.yml"


def _texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def test_greeting_is_answered_in_vietnamese_with_buttons(stack: Stack) -> None:
    messages = stack.rasa.say("xin chào", sender=_sender())
    assert "Xin chào" in _texts(messages)
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert any("căn cước" in b["title"].lower() for b in buttons)


@pytest.mark.parametrize("payload", ["/get_started"])
def test_widget_start_payload_gets_the_greeting(stack: Stack, payload: str) -> None:
    # rasa-webchat and similar widgets open every conversation with this payload
    messages = stack.rasa.say(payload, sender=_sender())
    assert "Xin chào" in _texts(messages)
    assert "Nguồn:" not in _texts(messages)


@pytest.mark.parametrize(
    ("text", "first_number"),
    [
        ("Cháy nhà ở hẻm 5, cứu với", "114"),
        ("chay nha hang xom roi, lua lon lam", "114"),
        ("có người ngất xỉu giữa đường, không thở", "115"),
        ("tai nạn giao thông trên quốc lộ 51, có người bị thương nặng", "115"),
        ("có trộm đang cạy cửa nhà tôi", "113"),
        ("co nguoi bi duoi nuoc o bai sau", "114"),
    ],
)
def test_emergency_gets_hotline_numbers_at_once(stack: Stack, text: str, first_number: str) -> None:
    sender = _sender()
    reply = _texts(stack.rasa.say(text, sender=sender))
    assert "KHẨN CẤP" in reply
    for number in ("113", "114", "115"):
        assert number in reply
    assert reply.index(first_number) == min(reply.index(n) for n in ("113", "114", "115"))
    latest = stack.rasa.tracker(sender)["latest_message"]
    assert latest["intent"]["name"] == "emergency"
    assert "Nguồn:" not in reply  # never an FAQ guess


def test_out_of_scope_question_is_declined_politely(stack: Stack) -> None:
    reply = _texts(stack.rasa.say("kể cho tôi nghe một câu chuyện cười đi", sender=_sender()))
    assert "ngoài phạm vi" in reply
    assert "113" in reply  # and says what the bot can do, including the hotlines


def test_bot_challenge_says_it_is_a_program(stack: Stack) -> None:
    reply = _texts(stack.rasa.say("bạn là người thật hay máy vậy", sender=_sender()))
    assert "trợ lý ảo" in reply


def test_intent_accuracy_on_held_out_examples(stack: Stack) -> None:
    examples = yaml.safe_load(HOLDOUT.read_text(encoding="utf-8"))
    correct = 0
    misses = []
    for example in examples:
        parsed = httpx.post(
            f"{stack.rasa.url}/model/parse",
            json={"text": example["text"]},
            params={"token": stack.rasa.api_token},
            timeout=30,
        )
        intent = parsed.json()["intent"]["name"]
        if intent == example["intent"] or (
            intent == "nlu_fallback" and example["intent"] == "ask_faq"
        ):
            correct += 1
        else:
            misses.append((example["text"], example["intent"], intent))
    accuracy = correct / len(examples)
    assert accuracy >= 0.85, f"accuracy {accuracy:.2f}; misses: {misses}"


def test_action_server_down_gives_a_polite_apology(tmp_path: Path) -> None:
    dead_url = f"http://127.0.0.1:{free_port()}/webhook"
    rasa = RasaServer(actions_url=dead_url, log_dir=tmp_path).start()
    try:
        reply = _texts(rasa.say("làm căn cước công dân ở đâu", sender=_sender()))
        assert "tạm gián đoạn" in reply
        assert "thử lại" in reply
        # the Rasa server itself keeps working
        assert "Xin chào" in _texts(rasa.say("chào bạn", sender=_sender()))
    finally:
        rasa.stop()
