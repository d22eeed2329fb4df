"""The turn record — one row per user turn (contract; docs/analytics.md describes every column).

Written by the analytics consumer from Rasa's event stream; read by the editors' inbox and
statistics. Personal data never lands here unredacted: ``sender`` is a keyed hash of Rasa's
sender id and ``text`` has passed through ``vitext.redact_pii``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

__all__ = ["DECISIONS", "Decision", "TurnRecord", "metadata", "turns"]

Decision = Literal["answer", "suggest", "decline", "emergency", "handoff", "refused"]
DECISIONS: tuple[Decision, ...] = (
    "answer",
    "suggest",
    "decline",
    "emergency",
    "handoff",
    "refused",
)

metadata = MetaData()

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # stable id of the user event (sender hash + event timestamp): consuming twice is harmless
    Column("turn_id", String(80), nullable=False, unique=True),
    Column("ts", DateTime(timezone=True), nullable=False),  # the user message's time, UTC
    Column("sender", String(64), nullable=False),  # keyed hash of the Rasa sender id
    Column("channel", String(20), nullable=False),  # web | telegram | zalo | rest | cli | …
    Column("role", String(10), nullable=False),  # citizen | staff (verified claims only)
    Column("intent", String(60)),
    Column("intent_confidence", Float),
    Column("domain", String(60)),  # answering domain (FAQ entry's or indicator's), else null
    Column("guessed_domain", String(60)),  # best retrieval domain, also for declined turns
    Column("faq_id", String(120)),
    Column("indicator_code", String(80)),
    Column("decision", String(12), nullable=False),  # one of DECISIONS
    Column("score", Float),  # best retrieval score of the turn (null when no retrieval ran)
    Column("suggestions", JSON),  # faq ids offered as "Ý bạn là…?" buttons
    Column("latency_ms", Float),  # user message → last bot message
    Column("feedback", SmallInteger),  # +1 👍, -1 👎, null none
    Column("text", Text, nullable=False),  # the user's text, personal data redacted
    Index("ix_turns_ts", "ts"),
    Index("ix_turns_decision_ts", "decision", "ts"),
    Index("ix_turns_sender", "sender"),
)


@dataclass(frozen=True)
class TurnRecord:
    """One row of :data:`turns` (what the consumer writes and the inbox reads)."""

    turn_id: str
    ts: datetime
    sender: str
    channel: str
    role: str
    decision: Decision
    text: str
    intent: str | None = None
    intent_confidence: float | None = None
    domain: str | None = None
    guessed_domain: str | None = None
    faq_id: str | None = None
    indicator_code: str | None = None
    score: float | None = None
    suggestions: tuple[str, ...] = ()
    latency_ms: float | None = None
    feedback: int | None = None
