"""Rasa's event stream → one :class:`~analytics.schema.TurnRecord` per user turn.

A turn starts with a ``user`` event and ends at the next ``action_listen`` of the same sender
(Rasa publishes a turn's events together when it saves the tracker), at the sender's next
``user`` event, or after a time-out. What the turn decided comes from the bot events' turn mark
(:mod:`analytics.marks`, set by the custom actions) and the per-turn slots (docs/architecture.md);
turns without a custom action (greeting, emergency, hand-off, out of scope) are told by the
actions Rasa ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from analytics.marks import TURN_MARK_KEY
from analytics.schema import DECISIONS, Decision, TurnRecord
from vitext import redact_pii

__all__ = ["TurnAssembler"]

# Rasa responses / intents that decide a turn without a custom action
_BY_ACTION: dict[str, Decision] = {
    "utter_emergency": "emergency",
    "utter_handoff": "handoff",
    "utter_out_of_scope": "decline",
    "utter_action_unavailable": "decline",  # the apology when the action server failed
}
_BY_INTENT: dict[str, Decision] = {
    "emergency": "emergency",
    "human_handoff": "handoff",
    "out_of_scope": "decline",
    "nlu_fallback": "decline",
}
_CLOSING = {"session_started", "restart"}
_MAX_TEXT_CHARS = 2000


@dataclass
class _Pending:
    sender_id: str
    user: Mapping[str, Any]
    position: int  # source position of the user event (resume from here if not written)
    seen_at: float  # monotonic time the user event arrived
    events: list[Mapping[str, Any]] = field(default_factory=list)


class TurnAssembler:
    """Feed events in stream order; completed turns come back as records.

    ``hash_sender(sender_id)`` is the keyed hash stored instead of the sender id;
    ``role_of(user_metadata, sender_id, timestamp)`` tells the role when no action resolved it.
    """

    def __init__(
        self,
        *,
        hash_sender: Callable[[str], str],
        role_of: Callable[[Mapping[str, Any], str, float], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._hash = hash_sender
        self._role_of = role_of
        self._clock = clock
        self._pending: dict[str, _Pending] = {}

    def feed(self, event: Mapping[str, Any], position: int) -> list[TurnRecord]:
        """Take one event (with its ``sender_id``); return the turns it completed."""
        sender_id = str(event.get("sender_id") or "")
        kind = event.get("event")
        if not sender_id or not isinstance(kind, str):
            return []
        done: list[TurnRecord] = []
        pending = self._pending.get(sender_id)
        if kind == "user":
            if pending is not None:
                done.append(self._finish(self._pending.pop(sender_id)))
            self._pending[sender_id] = _Pending(sender_id, event, position, self._clock())
            return done
        if pending is None:
            return done
        if kind in _CLOSING or (kind == "action" and event.get("name") == "action_listen"):
            done.append(self._finish(self._pending.pop(sender_id)))
        else:
            pending.events.append(event)
        return done

    def expire(self, *, older_than_s: float) -> list[TurnRecord]:
        """Write turns whose end never came (``older_than_s=0``: every pending turn)."""
        now = self._clock()
        stale = [s for s, p in self._pending.items() if now - p.seen_at >= older_than_s]
        return [self._finish(self._pending.pop(sender)) for sender in stale]

    def safe_position(self, last_read: int) -> int:
        """The position up to which every event is written: resume after it."""
        if not self._pending:
            return last_read
        return min(last_read, min(p.position for p in self._pending.values()) - 1)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _finish(self, turn: _Pending) -> TurnRecord:
        user = turn.user
        parse = user.get("parse_data") or {}
        intent = parse.get("intent") or {}
        metadata = user.get("metadata") or {}
        if not isinstance(metadata, Mapping):
            metadata = {}
        ts = float(user.get("timestamp") or 0.0)
        slots = _slots(turn.events)
        mark = _mark(turn.events)
        decision = _decision(mark, turn.events, intent.get("name"), slots)
        sender = self._hash(turn.sender_id)
        indicator = slots.get("indicator")
        role = mark.get("role") or self._role_of(metadata, turn.sender_id, ts)
        domain = slots.get("answer_domain") if decision == "answer" else None
        return TurnRecord(
            turn_id=f"{sender[:40]}:{ts:.6f}",
            ts=datetime.fromtimestamp(ts, UTC),
            sender=sender,
            channel=_channel(metadata, user),
            role=str(role)[:10],
            decision=decision,
            text=redact_pii(str(user.get("text") or ""))[:_MAX_TEXT_CHARS],
            intent=_str_or_none(intent.get("name")),
            intent_confidence=_float_or_none(intent.get("confidence")),
            domain=_str_or_none(domain),
            guessed_domain=_str_or_none(mark.get("guessed_domain") or slots.get("answer_domain")),
            faq_id=_str_or_none(slots.get("faq_id")),
            indicator_code=_str_or_none(
                indicator.get("code") if isinstance(indicator, Mapping) else None
            ),
            score=_float_or_none(mark.get("score")),
            suggestions=tuple(
                str(s["faq_id"])
                for s in slots.get("suggestions") or ()
                if isinstance(s, Mapping) and s.get("faq_id")
            ),
            latency_ms=_latency_ms(ts, turn.events),
        )


def _slots(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {str(e.get("name")): e.get("value") for e in events if e.get("event") == "slot"}


def _mark(events: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    mark: dict[str, Any] = {}
    for event in events:
        metadata = event.get("metadata") if event.get("event") == "bot" else None
        found = metadata.get(TURN_MARK_KEY) if isinstance(metadata, Mapping) else None
        if isinstance(found, Mapping):
            mark.update(found)
    return mark


def _decision(
    mark: Mapping[str, Any],
    events: Iterable[Mapping[str, Any]],
    intent: Any,
    slots: Mapping[str, Any],
) -> Decision:
    marked = mark.get("decision")
    if marked in DECISIONS:
        return marked
    events = list(events)
    for event in reversed(events):  # the last response that decides wins (the apology last)
        name: Any = None
        if event.get("event") == "action":
            name = event.get("name")
        elif event.get("event") == "bot" and isinstance(event.get("metadata"), Mapping):
            name = event["metadata"].get("utter_action")
        if name in _BY_ACTION:
            return _BY_ACTION[name]
    if isinstance(intent, str) and intent in _BY_INTENT:
        return _BY_INTENT[intent]
    if slots.get("fallback") is True or not any(e.get("event") == "bot" for e in events):
        return "decline"
    return "answer"  # greeting, thanks, "are you a bot": answered by a response


def _channel(metadata: Mapping[str, Any], user: Mapping[str, Any]) -> str:
    channel = metadata.get("channel") or user.get("input_channel") or "rest"
    return str(channel)[:20]


def _latency_ms(user_ts: float, events: Iterable[Mapping[str, Any]]) -> float | None:
    bot_times = [
        float(e["timestamp"])
        for e in events
        if e.get("event") == "bot" and isinstance(e.get("timestamp"), int | float)
    ]
    if not bot_times or not user_ts:
        return None
    return round(max(0.0, max(bot_times) - user_ts) * 1000.0, 1)


def _str_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _float_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
