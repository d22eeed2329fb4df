"""The shared turn against the real Rasa server: NFC, limits, metadata, Rasa outage."""

from __future__ import annotations

import unicodedata
import uuid
from pathlib import Path

import httpx

from channels.gateway import build_gateway
from tests.channels.conftest import make_settings
from tests.stack import RasaServer, free_port


def _unique(prefix: str) -> str:
    """Sender ids unique per run: the Rasa server may outlive one test session."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _user_events(rasa: RasaServer, sender: str) -> list[dict]:
    return [e for e in rasa.tracker(sender)["events"] if e["event"] == "user"]


async def test_nfd_input_reaches_rasa_as_nfc_with_channel_metadata(
    rasa: RasaServer, tmp_path: Path
) -> None:
    user = _unique("u-nfc")
    nfd = unicodedata.normalize("NFD", "xin chào trợ lý")
    async with httpx.AsyncClient() as http:
        gateway = build_gateway(make_settings(tmp_path, rasa.url), http=http)
        replies = await gateway.handle("zalo", user, nfd)
    assert replies
    probe = rasa.say("xin chào trợ lý", sender="probe-nfc-1")
    assert [r.text for r in replies if r.text] == [m["text"] for m in probe if m.get("text")]
    (event,) = _user_events(rasa, f"zalo:{user}")
    assert event["text"] == unicodedata.normalize("NFC", nfd)
    assert event["metadata"]["channel"] == "zalo"
    assert event["metadata"]["user_id"] == user


async def test_too_long_and_empty_messages_get_polite_replies_and_never_reach_rasa(
    rasa: RasaServer, tmp_path: Path
) -> None:
    user = _unique("u-long")
    async with httpx.AsyncClient() as http:
        gateway = build_gateway(
            make_settings(tmp_path, rasa.url, ASSISTANT_MAX_MESSAGE_CHARS="20"), http=http
        )
        (too_long,) = await gateway.handle("telegram", user, "thủ tục " * 10)
        (empty,) = await gateway.handle("telegram", user, "   ")
    assert too_long.text == gateway.messages.too_long.format(max_chars=20)
    assert "20" in too_long.text
    assert empty.text == gateway.messages.empty
    assert _user_events(rasa, f"telegram:{user}") == []


async def test_rate_limit_answers_politely_per_user(rasa: RasaServer, tmp_path: Path) -> None:
    user = _unique("u-rate")
    async with httpx.AsyncClient() as http:
        gateway = build_gateway(
            make_settings(tmp_path, rasa.url, ASSISTANT_RATE_LIMIT_PER_MIN="2"), http=http
        )
        for _ in range(2):
            assert (await gateway.handle("web", user, "xin chào"))[
                0
            ].text != gateway.messages.rate_limited
        (limited,) = await gateway.handle("web", user, "xin chào")
        other = await gateway.handle("web", user + "-other", "xin chào")
    assert limited.text == gateway.messages.rate_limited
    assert other[0].text != gateway.messages.rate_limited
    assert len(_user_events(rasa, f"web:{user}")) == 2


async def test_rasa_outage_gives_the_unavailable_message(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    async with httpx.AsyncClient() as http:
        gateway = build_gateway(make_settings(tmp_path, dead), http=http)
        (reply,) = await gateway.handle("telegram", "u-down", "xin chào")
    assert reply.text == gateway.messages.unavailable
