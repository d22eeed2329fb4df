"""Turn assembly from Rasa-shaped events (pure: no servers)."""

from __future__ import annotations

from typing import Any

from analytics.turns import TurnAssembler
from tests.analytics.rasa_events import faq_answer_turn, greeting_turn, session_start

TS = 1_750_000_000.0


def _assembler(clock: list[float] | None = None) -> TurnAssembler:
    ticks = clock if clock is not None else [0.0]
    return TurnAssembler(
        hash_sender=lambda s: f"h{s}".ljust(64, "0"),
        role_of=lambda metadata, sender, ts: "citizen",
        clock=lambda: ticks[0],
    )


def _feed(assembler: TurnAssembler, events: list[dict[str, Any]], start: int = 1) -> list:
    done = []
    for offset, event in enumerate(events):
        done.extend(assembler.feed(event, start + offset))
    return done


def test_faq_turn_becomes_one_row_with_mark_and_slots() -> None:
    events = session_start("a", TS) + faq_answer_turn(
        "a", TS + 1, "gia hạn thẻ bhyt, sđt 0912345678"
    )
    [turn] = _feed(_assembler(), events)
    assert turn.decision == "answer"
    assert turn.faq_id == "yte-bhyt-gia-han"
    assert turn.domain == "y_te"
    assert turn.guessed_domain == "y_te"
    assert turn.score == 0.91
    assert turn.intent == "ask_faq"
    assert turn.intent_confidence == 0.97
    assert turn.channel == "zalo"
    assert turn.role == "citizen"
    assert turn.latency_ms == 250.0
    assert "0912345678" not in turn.text
    assert turn.sender.startswith("ha")
    assert "a" not in turn.turn_id.split(":")[1]
    assert turn.ts.timestamp() == TS + 1


def test_response_turns_are_told_by_the_action_and_ends_wait_for_action_listen() -> None:
    assembler = _assembler()
    events = greeting_turn("b", TS)
    assert _feed(assembler, events[:-1]) == []
    assert assembler.pending == 1
    assert assembler.safe_position(10) == 0  # the user event (position 1) is not written yet
    [turn] = _feed(assembler, events[-1:], start=4)
    assert turn.decision == "answer"
    assert turn.intent == "greet"
    assert assembler.safe_position(10) == 10


def test_next_user_message_or_timeout_closes_an_unfinished_turn() -> None:
    clock = [0.0]
    assembler = _assembler(clock)
    first = faq_answer_turn("c", TS, "câu một")[:-1]  # no action_listen
    assert _feed(assembler, first) == []
    [closed] = _feed(assembler, faq_answer_turn("c", TS + 5, "câu hai")[:1], start=20)
    assert closed.text == "câu một"
    clock[0] = 500.0
    [expired] = assembler.expire(older_than_s=120)
    assert expired.text == "câu hai"
    assert expired.decision == "decline"


def test_emergency_without_mark_is_an_emergency() -> None:
    events = greeting_turn("d", TS)
    events[0]["parse_data"]["intent"]["name"] = "emergency"
    events[1]["name"] = "utter_emergency"
    events[2]["metadata"] = {"utter_action": "utter_emergency"}
    [turn] = _feed(_assembler(), events)
    assert turn.decision == "emergency"
    assert turn.faq_id is None
    assert turn.score is None


def test_turn_id_is_stable_for_the_same_event() -> None:
    one = _feed(_assembler(), greeting_turn("e", TS))[0]
    two = _feed(_assembler(), greeting_turn("e", TS))[0]
    assert one.turn_id == two.turn_id
    assert len(one.turn_id) <= 80
