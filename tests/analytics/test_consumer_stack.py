"""Real Rasa + action server with Rasa's SQL event broker → ``analytics consume`` → turn rows."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import subprocess
import uuid
from pathlib import Path

from sqlalchemy import select

import stores
from analytics.schema import turns
from tests.conftest import Stack
from tests.stack import REPO_ROOT, services_python

KEY = "stack-test-key"
NOW = "2025-06-15"


def _consume(stack: Stack, db_url: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "ASSISTANT_EVENTS_SOURCE": "sql",
        "ASSISTANT_EVENTS_DB": str(stack.rasa.events_db),
        "ASSISTANT_DB_URL": db_url,
        "ASSISTANT_ANALYTICS_KEY": KEY,
        "ASSISTANT_ROLE_SECRET": stack.role_secret,
    }
    done = subprocess.run(
        [services_python(), "-m", "analytics", "consume", "--once"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _broker_rows(stack: Stack, senders: list[str]) -> int:
    """How many rows of Rasa's SQL event broker hold these senders' events."""
    with sqlite3.connect(stack.rasa.events_db, timeout=10) as conn:
        marks = ",".join("?" * len(senders))
        query = f"SELECT count(*) FROM events WHERE sender_id IN ({marks})"
        return int(conn.execute(query, senders).fetchone()[0])


def _staff(stack: Stack, sender: str) -> dict:
    from actions.identity import mint_claim

    # a staff claim is valid only in the conversation it was minted for
    token = mint_claim(sender, stack.role_secret, ttl_s=600, subject="can-bo-9")
    return {"channel": "web", "role_token": token, "now": NOW}


def test_turns_of_a_real_conversation_become_redacted_rows(stack: Stack, tmp_path: Path) -> None:
    citizen = {"channel": "web", "user_id": "nguoi-dan", "now": NOW}
    senders = {
        name: f"analytics-{name}-{uuid.uuid4().hex[:8]}"
        for name in ("answer", "pii", "decline", "indicator", "refused", "emergency")
    }
    asked = {
        "answer": ("Gia hạn thẻ bảo hiểm y tế ở đâu?", citizen),
        "pii": ("Tôi số 0912345678, CCCD 079123456789, gia hạn thẻ bhyt ở đâu?", citizen),
        "decline": ("Công thức nấu phở bò ngon nhất là gì?", citizen),
        "indicator": ("thu ngân sách tháng trước?", _staff(stack, senders["indicator"])),
        "refused": ("số vụ phạm pháp hình sự quý 1 ở Phú Mỹ", citizen),
        "emergency": ("Cháy nhà ở hẻm 5, cứu với", citizen),
    }
    for name, (text, metadata) in asked.items():
        assert stack.rasa.say(text, sender=senders[name], metadata=metadata)

    assert _broker_rows(stack, list(senders.values())) > len(asked)
    db_url = f"sqlite:///{tmp_path / 'analytics.sqlite3'}"
    out = _consume(stack, db_url)
    assert "new turn(s) written" in out
    by_hash = {
        hmac.new(KEY.encode(), sender.encode(), hashlib.sha256).hexdigest(): name
        for name, sender in senders.items()
    }
    with stores.engine(db_url).connect() as conn:
        rows = {
            by_hash[r.sender]: r
            for r in conn.execute(select(turns).where(turns.c.sender.in_(by_hash)))
        }
    assert set(rows) == set(asked)

    answer = rows["answer"]
    assert (answer.decision, answer.intent, answer.channel, answer.role) == (
        "answer",
        "ask_faq",
        "web",
        "citizen",
    )
    assert answer.faq_id
    assert answer.domain == "y_te"
    assert answer.score
    assert answer.score > 0.5
    assert 0 < answer.latency_ms < 60_000
    assert 0 < answer.intent_confidence <= 1

    pii = rows["pii"]
    assert "0912345678" not in pii.text
    assert "079123456789" not in pii.text
    assert "<phone>" in pii.text
    assert "<id>" in pii.text

    assert rows["decline"].decision == "decline"
    assert rows["decline"].faq_id is None

    indicator = rows["indicator"]
    assert (indicator.decision, indicator.role) == ("answer", "staff")
    assert indicator.indicator_code == "budget_revenue"
    assert indicator.intent == "ask_indicator"

    assert rows["refused"].decision == "refused"
    assert rows["refused"].role == "citizen"
    emergency = rows["emergency"]
    assert emergency.decision == "emergency"
    assert emergency.intent == "emergency"

    # the position is remembered and turn ids are unique: a second run adds nothing
    assert "0 new turn(s)" in _consume(stack, db_url)
    with stores.engine(db_url).connect() as conn:
        count = len(conn.execute(select(turns.c.id).where(turns.c.sender.in_(by_hash))).all())
    assert count == len(asked)
    # the broker rows of written turns are deleted (the table's newest row always stays)
    assert _broker_rows(stack, list(senders.values())) <= 1
