"""Soak: 10,000 distinct senders through Rasa's SQL event broker file; it stays bounded.

Rasa-shaped turns of new senders are appended to a real SQLite broker file while the consumer
reads them into a real SQLite turns database, round after round, as ``make run`` does. What
could grow is the broker table (Rasa only appends), its file and the consumer's per-sender
state. Bounded means: after each round the table holds ``ASSISTANT_EVENTS_KEEP_ROWS`` rows,
the database file stops growing after a warm-up because SQLite reuses the pages of deleted rows,
its write-ahead log stays within SQLite's automatic checkpoint (1,000 pages) plus one round, the
consumer keeps no finished turn and its memory (traced Python allocations) stays flat.

Measured on the 2-core development machine (60 rounds, 30,000 senders): file 594 KB after the
first round, 623 KB from round 12 to 60; log 4.2–4.7 MB from round 3 on.
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
import uuid
from pathlib import Path

from analytics.consumer import Consumer
from settings.services import load_settings
from tests.analytics.rasa_events import (
    broker_row_ids,
    create_broker_table,
    faq_answer_turn,
    greeting_turn,
)

SENDERS = 10_000
ROUND = 500  # senders per round (Rasa writing while the consumer polls)
WARM_UP = 4  # rounds before the measured part
KEEP_ROWS = 50
FILE_TOLERANCE_BYTES = 64 * 1024  # free-list fragmentation (measured: 12 KB)
WAL_MAX_BYTES = 8 * 1024 * 1024  # 1,000 pages of 4 KB before a checkpoint, plus one round
MEMORY_TOLERANCE_BYTES = 1024 * 1024  # 100 bytes per measured sender would show
TS = 1_780_000_000.0


def _publish_round(path: Path, round_no: int) -> None:
    """ROUND new senders, each asking once (FAQ or greeting), as Rasa's broker rows."""
    rows = []
    for i in range(ROUND):
        sender = f"soak-{round_no}-{i}-{uuid.uuid4().hex[:6]}"
        ts = TS + round_no * ROUND + i
        text = f"gia hạn thẻ bhyt lần {round_no}-{i}, sđt 09{i:08d}"
        events = faq_answer_turn(sender, ts, text) if i % 2 else greeting_turn(sender, ts)
        rows.extend((sender, json.dumps(event)) for event in events)
    with sqlite3.connect(path, timeout=10) as conn:
        conn.executemany("INSERT INTO events (sender_id, data) VALUES (?, ?)", rows)


def _wal_bytes(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def test_ten_thousand_senders_leave_the_broker_file_and_the_consumer_flat(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ASSISTANT_VAR_DIR": str(tmp_path),
            "ASSISTANT_EVENTS_DB": str(tmp_path / "rasa_events.sqlite3"),
            "ASSISTANT_EVENTS_KEEP_ROWS": str(KEEP_ROWS),
            "ASSISTANT_ANALYTICS_KEY": "soak-key",
        }
    )
    events_db = settings.analytics.events_db
    create_broker_table(events_db)
    consumer = Consumer(settings)
    tracemalloc.start()
    try:
        sizes: list[int] = []
        wal_sizes: list[int] = []
        memory: list[int] = []
        rows_left: list[int] = []
        for round_no in range(SENDERS // ROUND):
            _publish_round(events_db, round_no)
            while consumer.step(wait_s=0):
                pass
            assert consumer.assembler.pending == 0  # every turn ended with action_listen
            rows_left.append(len(broker_row_ids(events_db)))
            sizes.append(events_db.stat().st_size)
            wal_sizes.append(_wal_bytes(events_db))
            memory.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    assert consumer.written == SENDERS
    assert max(rows_left) == KEEP_ROWS
    measured = slice(WARM_UP, None)
    size_growth = max(sizes[measured]) - sizes[WARM_UP]
    memory_growth = max(memory[measured]) - memory[WARM_UP]
    print(
        f"broker file {sizes[WARM_UP]} → max {max(sizes[measured])} bytes, "
        f"log max {max(wal_sizes)} bytes, "
        f"traced memory {memory[WARM_UP]} → max {max(memory[measured])} bytes"
    )
    assert size_growth < FILE_TOLERANCE_BYTES, sizes
    assert max(wal_sizes) < WAL_MAX_BYTES, wal_sizes
    assert memory_growth < MEMORY_TOLERANCE_BYTES, memory
