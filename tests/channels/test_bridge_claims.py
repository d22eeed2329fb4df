"""Telegram/Zalo bridges: the gateway signs a short-lived claim for allow-listed staff only, bound
to the conversation, and never in group chats; against the session's real Rasa + action server."""

from __future__ import annotations

from pathlib import Path

import httpx

from channels.gateway import build_gateway
from tests.channels.conftest import make_settings
from tests.conftest import ROLE_SECRET, STAFF_TELEGRAM_ID, STAFF_ZALO_ID, Stack

QUESTION = "số vụ phạm pháp hình sự quý 1 ở Phú Mỹ"  # staff-only indicator
NOW = {"now": "2025-06-15"}


async def test_bridge_claims_for_allow_listed_staff_in_private_chats(
    stack: Stack, tmp_path: Path
) -> None:
    settings = make_settings(
        tmp_path,
        stack.rasa.url,
        ASSISTANT_ROLE_SECRET=ROLE_SECRET,
        ASSISTANT_STAFF_TELEGRAM_IDS=STAFF_TELEGRAM_ID,
        ASSISTANT_STAFF_ZALO_IDS=STAFF_ZALO_ID,
    )
    async with httpx.AsyncClient(timeout=120) as http:
        gateway = build_gateway(settings, http=http)

        async def ask(channel: str, user: str, sender: str, **kw: object) -> str:
            replies = await gateway.handle(channel, user, QUESTION, sender=sender, **kw)  # type: ignore[arg-type]
            return "\n".join(r.text or "" for r in replies)

        staff_tg = await ask(
            "telegram", STAFF_TELEGRAM_ID, f"tg:{STAFF_TELEGRAM_ID}", extra_metadata=NOW
        )
        assert "📊 Số vụ phạm pháp hình sự" in staff_tg
        staff_zalo = await ask("zalo", STAFF_ZALO_ID, f"zalo:{STAFF_ZALO_ID}", extra_metadata=NOW)
        assert "📊 Số vụ phạm pháp hình sự" in staff_zalo
        refused = [
            # the same staff member in a group chat: no claim, citizen answers
            await ask(
                "telegram", STAFF_TELEGRAM_ID, "tg:-1001", extra_metadata=NOW, private_chat=False
            ),
            # somebody else; the other channel's allow-list does not count
            await ask("telegram", "999", "tg:999", extra_metadata=NOW),
            await ask("zalo", STAFF_TELEGRAM_ID, f"zalo:{STAFF_TELEGRAM_ID}", extra_metadata=NOW),
            # a token smuggled in by the platform side is dropped: only the bridge signs
            await ask("telegram", "999", "tg:999", extra_metadata={**NOW, "role_token": "x.y.z"}),
        ]
        for text in refused:
            assert "cán bộ" in text
            assert "📊" not in text
    latest = stack.rasa.tracker(f"tg:{STAFF_TELEGRAM_ID}")["latest_message"]["metadata"]
    assert set(latest) == {"channel", "user_id", "now", "role_token"}
