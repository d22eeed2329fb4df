"""👍/👎 after an FAQ answer: the button payload, reading it back, storing it with the turn.

The action puts two buttons under every FAQ answer whose payload names the turn by the user
message's Rasa timestamp and the answered entry:
``/feedback{"turn":"…","faq_id":"…","value":"up"}``.
Telegram and Zalo send a pressed button back as text, so the channels' shared gateway catches
the payload before Rasa; the web widget posts it to ``POST /feedback``. Either way
:func:`record_vote` writes the ``feedback`` column of that turn (``+1`` / ``-1``; a second vote
replaces the first). When the analytics consumer has not written the turn yet, the vote waits in
``inbox_pending_feedback`` and :func:`apply_pending` moves it later.

Deliberately public like the chat itself: a vote changes one number of one turn and needs the
turn's microsecond timestamp and entry, which only that conversation has seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from analytics.schema import turns
from inbox import store

__all__ = [
    "FEEDBACK_INTENT",
    "Vote",
    "apply_pending",
    "feedback_payload",
    "parse_vote",
    "record_vote",
]

FEEDBACK_INTENT = "feedback"
VALUES = {"up": 1, "down": -1}
MAX_AGE = timedelta(days=7)  # older turns take no vote; pending votes expire after this
_MATCH_S = 1.0  # the turn row's time may be rounded by the database
_PAYLOAD_RE = re.compile(r"/feedback(\{.{1,400}\})", re.DOTALL)
_FAQ_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")


@dataclass(frozen=True)
class Vote:
    turn_ts: float  # the user message's Rasa timestamp (epoch seconds)
    faq_id: str
    value: int  # +1 / -1


def feedback_payload(turn_ts: float, faq_id: str, value: str) -> str:
    """Payload of a 👍 (``value="up"``) or 👎 (``"down"``) button under an FAQ answer."""
    if value not in VALUES:
        raise ValueError(f"feedback value {value!r} must be 'up' or 'down'")
    body = {"turn": f"{turn_ts:.6f}", "faq_id": faq_id, "value": value}
    return f"/{FEEDBACK_INTENT}" + json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def parse_vote(text: Any) -> Vote | None:
    """The vote a feedback payload carries; None for any other or malformed text."""
    if not isinstance(text, str):
        return None
    match = _PAYLOAD_RE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        body = json.loads(match[1])
        turn_ts = float(body["turn"])
        faq_id, value = body["faq_id"], body["value"]
    except (ValueError, KeyError, TypeError, RecursionError):
        return None
    if not isinstance(faq_id, str) or not _FAQ_ID_RE.fullmatch(faq_id) or value not in VALUES:
        return None
    if not 1e9 < turn_ts < 1e10:  # 2001..2286: anything else is not a Rasa timestamp
        return None
    return Vote(turn_ts, faq_id, VALUES[value])


def _turn_time(turn_ts: float) -> datetime:
    return datetime.fromtimestamp(turn_ts, UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _apply(conn: Connection, vote: Vote) -> bool:
    """Write the vote into its turn row; False when the row is not there (yet)."""
    at = _turn_time(vote.turn_ts)
    window = timedelta(seconds=_MATCH_S)
    rows = conn.execute(
        select(turns.c.id, turns.c.ts).where(
            turns.c.faq_id == vote.faq_id, turns.c.ts.between(at - window, at + window)
        )
    ).all()
    if not rows:
        return False
    nearest = min(rows, key=lambda row: abs((_aware(row.ts) - at).total_seconds()))
    conn.execute(update(turns).where(turns.c.id == nearest.id).values(feedback=vote.value))
    return True


def record_vote(engine: Engine, vote: Vote, *, now: datetime | None = None) -> bool:
    """Store the vote with its turn (or pending); False when the turn is too old to vote on."""
    now = now or datetime.now(UTC)
    if not now - MAX_AGE <= _turn_time(vote.turn_ts) <= now + timedelta(minutes=5):
        return False
    with engine.begin() as conn:
        if not _apply(conn, vote):
            conn.execute(
                insert(store.pending_feedback).values(
                    received=now, turn_ts=vote.turn_ts, faq_id=vote.faq_id, value=vote.value
                )
            )
    return True


def apply_pending(engine: Engine, *, now: datetime | None = None) -> int:
    """Move waiting votes into their turn rows (expired ones are dropped); returns how many."""
    now = now or datetime.now(UTC)
    moved = 0
    with engine.begin() as conn:
        rows = conn.execute(
            select(store.pending_feedback).order_by(store.pending_feedback.c.id)
        ).all()
        for row in rows:
            vote = Vote(float(row.turn_ts), str(row.faq_id), int(row.value))
            expired = _turn_time(vote.turn_ts) < now - MAX_AGE
            if expired or _apply(conn, vote):
                moved += 0 if expired else 1
                conn.execute(
                    delete(store.pending_feedback).where(store.pending_feedback.c.id == row.id)
                )
    return moved
