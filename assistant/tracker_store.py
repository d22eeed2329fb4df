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
"""

from typing import Any, Dict, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from vitext import redact_pii

__all__ = ["RedactingTrackerStore", "redact_event"]


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
        self._inner = create_tracker_store(inner_config, domain, event_broker)
        self._max_conversations = int(max_conversations or 0)
        super().__init__(domain, event_broker, **kwargs)

    @property
    def domain(self) -> Domain:
        """The domain of the wrapped store (Rasa sets it when a model is loaded)."""
        return self._inner.domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._inner.domain = domain or Domain.empty()

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Redact the tracker's messages, then save it in the wrapped store."""
        for event in tracker.events:
            redact_event(event)
        await self._inner.save(tracker)
        self._bound_memory(tracker.sender_id)

    def _bound_memory(self, sender_id: Text) -> None:
        store = self._inner
        if self._max_conversations <= 0 or not isinstance(store, InMemoryTrackerStore):
            return
        # dicts keep insertion order: re-inserting marks the conversation most recently active
        store.store[sender_id] = store.store.pop(sender_id)
        while len(store.store) > self._max_conversations:
            del store.store[next(iter(store.store))]

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        """The tracker of ``sender_id`` from the wrapped store."""
        return await self._inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        """Every session of ``conversation_id`` from the wrapped store."""
        return await self._inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[Text]:
        """The conversation ids the wrapped store keeps."""
        return await self._inner.keys()
