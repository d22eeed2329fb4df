"""Conversations live in Rasa's SQL tracker store (endpoints.yml): a restart keeps them."""

from __future__ import annotations

import uuid

from tests.conftest import Stack


def _user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_conversation_survives_a_rasa_restart_and_continues(stack: Stack) -> None:
    sender = f"persist-{uuid.uuid4().hex[:8]}"
    metadata = {"channel": "web", "user_id": sender}
    first = ["xin chào", "Gia hạn thẻ bảo hiểm y tế ở đâu?"]
    for text in first:
        assert stack.rasa.say(text, sender=sender, metadata=metadata)
    before = stack.rasa.tracker(sender)
    assert stack.rasa.tracker_db.is_file()

    # the same server (port, tracker file, events file) stopped and started again
    stack.rasa.stop()
    stack.rasa.start()

    after = stack.rasa.tracker(sender)
    assert _user_texts(after) == first
    assert after["slots"]["faq_id"] == before["slots"]["faq_id"] is not None
    assert after["events"] == before["events"]

    assert stack.rasa.say("cảm ơn bạn", sender=sender, metadata=metadata)
    continued = stack.rasa.tracker(sender)
    assert _user_texts(continued) == [*first, "cảm ơn bạn"]
    # the same session goes on (session_config: 60 min expiry), no new session started
    starts = [e for e in continued["events"] if e["event"] == "session_started"]
    assert len(starts) == 1
