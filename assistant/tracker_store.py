"""A tracker store that redacts personal data before any other store keeps it.

Configured in ``endpoints.yml``; it wraps whatever store is configured under ``wrapped:``
(Rasa's ``sql``, ``redis``, ``mongod``, ``dynamo``, a custom ``module.Class``, or in memory when
``wrapped`` is absent)::

    tracker_store:
      type: assistant.tracker_store.RedactingTrackerStore
      max_conversations: ${ASSISTANT_MAX_LIVE_CONVERSATIONS}
      wrapped:
        type: sql
        dialect: sqlite
        db: var/trackers.db

Before every save, the text of user and bot messages, the text in the NLU result and string
entity values pass through :func:`vitext.redact_pii`. The events are redacted in place: the turn
is over when Rasa saves, and what the event broker streams is then redacted too.

With an in-memory store, at most ``max_conversations`` trackers are kept: the least recently
active conversation is dropped first (its next message starts a new conversation).

Cost per turn does not grow with the conversation (docs/benchmarks.md "Where a long
conversation's time went"). Rasa's stores find the events to stream to
the event broker by loading the stored tracker again at every save (a second full load of the
session per turn). Here the wrapper streams them itself: every turn starts by retrieving the
tracker (under the conversation's lock), so the number of events the store holds is known, and
the events after it are the new ones, which are also the only ones still to redact. A save
without a retrieve in this process (another replica served the conversation, a tracker replaced
through the HTTP API) falls back to Rasa's way: the stored tracker is loaded to compare.
The events go to the broker in one transaction per turn when it is Rasa's SQL broker. With a SQL
store, the wrapper writes the turn's new rows itself (Rasa's rows, column for column: Rasa's save
would count the stored session first), and the trackers of the most recently active
conversations stay in memory between turns, checked against the store before each use
(:class:`_RecentTrackers`).
SQLite files (the embedded default; store and broker) get kept connections, WAL and
``synchronous=NORMAL`` (:func:`pool_sqlite`): a crash of the machine can lose the last commits but
never corrupts the file; production runs PostgreSQL.
"""

import itertools
import json
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import (
    InMemoryTrackerStore,
    SQLTrackerStore,
    TrackerStore,
    create_tracker_store,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from vitext import redact_pii

__all__ = ["RedactingTrackerStore", "pool_sqlite", "redact_event"]

# conversations whose stored length this process remembers (an int each; a miss costs one load)
_KNOWN_LENGTHS = 50_000
# trackers of the most recently active conversations kept between turns (SQL stores)
_RECENT_TRACKERS = 500


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")  # the wait first: WAL needs a lock at start-up
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def pool_sqlite(holder: Any) -> None:
    """Give a Rasa SQL store or broker on a SQLite file a pooled engine in WAL mode (else no-op).

    SQLAlchemy 1.4 opens a new connection per session for SQLite files, and closing the last
    connection of a WAL database checkpoints it: measured 1.1 ms per broker event as Rasa
    creates it, 0.17 ms with kept connections, WAL and ``synchronous=NORMAL``.
    """
    engine = getattr(holder, "engine", None)
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        return
    if engine.url.database in (None, "", ":memory:"):
        return
    pooled = sa.create_engine(
        engine.url,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=8,
        connect_args={"check_same_thread": False},  # a pooled connection may change threads
    )
    sa_event.listen(pooled, "connect", _sqlite_pragmas)
    engine.dispose()
    holder.engine = pooled
    holder.sessionmaker = sessionmaker(bind=pooled)


def redact_event(event: Event) -> None:
    """Redact the personal data of one user or bot message event, in place."""
    if isinstance(event, UserUttered):
        if event.text:
            event.text = redact_pii(event.text)
        parse_data: Dict[Text, Any] = event.parse_data or {}
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = redact_pii(parse_data["text"])
        for entities in (event.entities, parse_data.get("entities") or []):
            for entity in entities:
                if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                    entity["value"] = redact_pii(entity["value"])
    elif isinstance(event, BotUttered) and event.text:
        event.text = redact_pii(event.text)


class _RecentTrackers:
    """The trackers of the most recently active conversations of a SQL store, checked before use.

    Loading a tracker from Rasa's SQL store reads and deserialises every event of the session,
    so a turn's cost grows with its conversation. The tracker saved at the end of a turn is kept
    here; the next turn takes it only if the store still holds exactly what was saved (count and
    newest id of the sender's rows, one indexed query: another replica, ``privacy forget`` or a
    restart of the conversation elsewhere changes them) and nothing was added to it since (a turn
    that failed before saving). A tracker is kept only when it is what the store would load: one
    session, starting at its first event (after a session restart the store loads the new
    session only, so the next turn loads it once).
    """

    def __init__(self, store: SQLTrackerStore, size: int) -> None:
        self._store = store
        self._size = size
        self._entries: "OrderedDict[Text, Tuple[DialogueStateTracker, int, Tuple[int, Any]]]" = (
            OrderedDict()
        )

    def _marker(self, sender_id: Text) -> Tuple[int, Any]:
        rows = self._store.SQLEvent
        with self._store.session_scope() as session:
            count, newest = (
                session.query(sa.func.count(rows.id), sa.func.max(rows.id))
                .filter(rows.sender_id == sender_id)
                .one()
            )
        return int(count), newest

    def get(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        entry = self._entries.pop(sender_id, None)
        if entry is None:
            return None
        tracker, length, marker = entry
        if len(tracker.events) != length or self._marker(sender_id) != marker:
            return None
        self._entries[sender_id] = entry
        return tracker

    def append(
        self, tracker: DialogueStateTracker, events: List[Event], dicts: List[Dict[Text, Any]]
    ) -> None:
        """Store a turn's new events as Rasa's SQL store writes them, then keep the tracker.

        The rows are Rasa's own (``SQLTrackerStore.save``); what is new is known from the turn's
        retrieve, so Rasa's count of the stored session is not needed, and when the tracker came
        from here neither is the marker query (count + rows written, newest id written).
        """
        sender_id = tracker.sender_id
        kept = self._entries.pop(sender_id, None)
        store = self._store
        newest: Any = None
        if events:
            with store.session_scope() as session:
                rows = [
                    store.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                    for event, data in zip(events, dicts, strict=True)
                ]
                session.add_all(rows)
                session.flush()  # ids are known before the commit expires the rows
                newest = rows[-1].id
                session.commit()
        if any(isinstance(e, SessionStarted) for e in itertools.islice(tracker.events, 1, None)):
            return  # the store loads the new session only: the next turn loads it once
        if kept is not None and kept[0] is tracker and kept[1] + len(events) == len(tracker.events):
            count, before = kept[2]
            marker = (count + len(events), newest if events else before)
        else:
            marker = self._marker(sender_id)
        self._entries[sender_id] = (tracker, len(tracker.events), marker)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class RedactingTrackerStore(TrackerStore):
    """Redacts, then delegates to the wrapped tracker store (see the module docstring)."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Optional[EventBroker] = None,
        wrapped: Optional[Dict[Text, Any]] = None,
        max_conversations: Any = 0,
        **kwargs: Any,
    ) -> None:
        inner_config = EndpointConfig.from_dict(dict(wrapped)) if wrapped else None
        # no broker for the wrapped store: this wrapper streams the new events (module docstring)
        self._inner = create_tracker_store(inner_config, domain, None)
        self._max_conversations = int(max_conversations or 0)
        self._stored_lengths: "OrderedDict[Text, int]" = OrderedDict()
        self._recent = (
            _RecentTrackers(self._inner, _RECENT_TRACKERS)
            if isinstance(self._inner, SQLTrackerStore)
            else None
        )
        super().__init__(domain, event_broker, **kwargs)
        pool_sqlite(self._inner)
        pool_sqlite(event_broker)

    @property
    def domain(self) -> Domain:
        """The domain of the wrapped store (Rasa sets it when a model is loaded)."""
        return self._inner.domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._inner.domain = domain or Domain.empty()
        recent = getattr(self, "_recent", None)  # None while the base class sets it up
        if recent is not None:
            recent.clear()  # trackers carry the slots of the domain they were loaded with

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Redact the new messages, save the tracker in the wrapped store, stream the new events."""
        sender_id = tracker.sender_id
        stored = self._stored_lengths.get(sender_id)
        if stored is None or stored > len(tracker.events):
            # not retrieved here (or replaced): Rasa's way, compare with what the store holds
            old = await self._inner.retrieve(sender_id)
            stored = len(old.events) if old is not None else 0
        new_events: List[Event] = list(itertools.islice(tracker.events, stored, None))
        for event in new_events:
            redact_event(event)
        dicts = [event.as_dict() for event in new_events]
        if self._recent is not None:
            self._recent.append(tracker, new_events, dicts)
        else:
            await self._inner.save(tracker)
        self._remember(sender_id, len(tracker.events))
        if self.event_broker is not None and dicts:
            self._publish(self.event_broker, dicts, sender_id)
        self._bound_memory(sender_id)

    @staticmethod
    def _publish(broker: EventBroker, dicts: List[Dict[Text, Any]], sender_id: Text) -> None:
        """Send the turn's events as Rasa does (same bodies, same order)."""
        bodies = [{"sender_id": sender_id, **data} for data in dicts]
        if isinstance(broker, SQLEventBroker):
            # one transaction per turn (Rasa's publish commits each event): the consumer also
            # never sees half a turn
            with broker.session_scope() as session:
                session.add_all(
                    broker.SQLBrokerEvent(sender_id=sender_id, data=json.dumps(body))
                    for body in bodies
                )
                session.commit()
            return
        for body in bodies:
            broker.publish(body)

    def _remember(self, sender_id: Text, length: int) -> None:
        self._stored_lengths[sender_id] = length
        self._stored_lengths.move_to_end(sender_id)
        while len(self._stored_lengths) > _KNOWN_LENGTHS:
            self._stored_lengths.popitem(last=False)

    def _bound_memory(self, sender_id: Text) -> None:
        store = self._inner
        if self._max_conversations <= 0 or not isinstance(store, InMemoryTrackerStore):
            return
        # dicts keep insertion order: re-inserting marks the conversation most recently active
        store.store[sender_id] = store.store.pop(sender_id)
        while len(store.store) > self._max_conversations:
            del store.store[next(iter(store.store))]

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of ``sender_id`` from the wrapped store (its length is remembered)."""
        tracker = self._recent.get(sender_id) if self._recent is not None else None
        if tracker is None:
            tracker = await self._inner.retrieve(sender_id)
        self._remember(sender_id, len(tracker.events) if tracker is not None else 0)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of ``conversation_id`` from the wrapped store."""
        return await self._inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[Text]:
        """The conversation ids the wrapped store keeps."""
        return await self._inner.keys()
