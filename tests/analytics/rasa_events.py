"""Rasa-shaped events (as Rasa 3.6's event brokers publish them) for the analytics tests."""

from __future__ import annotations

from typing import Any

__all__ = ["faq_answer_turn", "greeting_turn", "session_start"]


def session_start(sender: str, ts: float) -> list[dict[str, Any]]:
    return [
        {"sender_id": sender, "event": "action", "timestamp": ts, "name": "action_session_start"},
        {"sender_id": sender, "event": "session_started", "timestamp": ts},
        {"sender_id": sender, "event": "action", "timestamp": ts, "name": "action_listen"},
    ]


def _user(sender: str, ts: float, text: str, intent: str, confidence: float) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "event": "user",
        "timestamp": ts,
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": confidence}, "entities": []},
        "input_channel": "rest",
        "message_id": f"m{ts}",
        "metadata": {"channel": "zalo", "user_id": "u-1"},
    }


def _slot(sender: str, ts: float, name: str, value: Any) -> dict[str, Any]:
    return {"sender_id": sender, "event": "slot", "timestamp": ts, "name": name, "value": value}


def _action(sender: str, ts: float, name: str) -> dict[str, Any]:
    return {"sender_id": sender, "event": "action", "timestamp": ts, "name": name}


def faq_answer_turn(sender: str, ts: float, text: str) -> list[dict[str, Any]]:
    """A citizen's FAQ question answered by action_answer_faq (bot mark + per-turn slots)."""
    mark = {"decision": "answer", "role": "citizen", "score": 0.91, "guessed_domain": "y_te"}
    return [
        _user(sender, ts, text, "ask_faq", 0.97),
        _action(sender, ts + 0.01, "action_answer_faq"),
        {
            "sender_id": sender,
            "event": "bot",
            "timestamp": ts + 0.25,
            "text": "Bạn gia hạn thẻ BHYT tại …",
            "data": {},
            "metadata": {"turn": mark},
        },
        _slot(sender, ts + 0.25, "answer_domain", "y_te"),
        _slot(sender, ts + 0.25, "faq_id", "yte-bhyt-gia-han"),
        _slot(sender, ts + 0.25, "fallback", False),
        _slot(sender, ts + 0.25, "suggestions", []),
        _action(sender, ts + 0.26, "action_listen"),
    ]


def greeting_turn(sender: str, ts: float) -> list[dict[str, Any]]:
    """A greeting answered by a Rasa response (no custom action, no mark)."""
    return [
        _user(sender, ts, "xin chào", "greet", 0.99),
        {"sender_id": sender, "event": "action", "timestamp": ts + 0.01, "name": "utter_greet"},
        {
            "sender_id": sender,
            "event": "bot",
            "timestamp": ts + 0.02,
            "text": "Xin chào!",
            "data": {},
            "metadata": {"utter_action": "utter_greet"},
        },
        {"sender_id": sender, "event": "action", "timestamp": ts + 0.03, "name": "action_listen"},
    ]
