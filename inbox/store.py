"""The inbox's own tables: editors' decisions per cluster and feedback waiting for its turn."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
)
from sqlalchemy.engine import Engine

from analytics.schema import metadata as turns_metadata
from stores import ensure_tables

__all__ = ["ACTIONS", "decisions", "metadata", "open_engine", "pending_feedback"]

ACTIONS = ("accept", "new_entry", "ignore")

metadata = MetaData()

# one row per editor decision on a cluster of unanswered questions
decisions = Table(
    "inbox_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("author", String(80), nullable=False),
    Column("action", String(12), nullable=False),  # one of ACTIONS
    Column("domain", String(60)),  # the cluster's guessed domain (null: none guessed)
    Column("faq_id", String(120)),  # the entry the questions went to (accept / new_entry)
    Column("texts", JSON, nullable=False),  # the cluster's distinct questions, redacted
    Column("turn_ids", JSON, nullable=False),  # the turns the decision settled
    # float32 e5 vectors of `texts`, concatenated: later questions are matched against them
    Column("vectors", LargeBinary, nullable=False),
    Column("dim", Integer, nullable=False),
)

# a 👍/👎 whose turn row the analytics consumer has not written yet (applied when it has)
pending_feedback = Table(
    "inbox_pending_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("received", DateTime(timezone=True), nullable=False),
    Column("turn_ts", Float, nullable=False),  # the user message's Rasa timestamp (epoch s)
    Column("faq_id", String(120), nullable=False),
    Column("value", SmallInteger, nullable=False),  # +1 / -1
    Index("ix_inbox_pending_turn", "turn_ts"),
)


def open_engine(db_url: str) -> Engine:
    """The engine for ``db_url`` with the turn table and the inbox's tables present."""
    ensure_tables(db_url, turns_metadata)
    return ensure_tables(db_url, metadata)
