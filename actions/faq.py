"""`action_answer_faq`: answer from the FAQ corpus, suggest close entries, or decline politely."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import identity
from retrieval.corpus import FaqEntry
from retrieval.decision import Thresholds
from retrieval.errors import RetrievalError
from retrieval.service import FaqService
from settings.services import get_settings
from vitext import load_abbreviations, nfc

__all__ = ["ActionAnswerFaq", "get_service", "payload_faq_id", "resolve_role"]

logger = logging.getLogger(__name__)

_PAYLOAD_RE = re.compile(r"^\s*/ask_faq\s*(\{.*\})\s*$", re.DOTALL)
_service: FaqService | None = None
_service_lock = threading.Lock()


@cache
def _messages() -> dict[str, str]:
    path = get_settings().paths.messages_dir / "faq.yml"
    return {k: str(v) for k, v in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


def resolve_role(metadata: Mapping[str, Any]) -> str:
    """'staff' only for a verified signed role token or an allow-listed channel user."""
    return identity.resolve_role(metadata, get_settings().identity)


def payload_faq_id(message: Mapping[str, Any]) -> str | None:
    """Entry id chosen with a suggestion button: `/ask_faq{"faq_id":"..."}`."""
    text = str(message.get("text") or "")
    match = _PAYLOAD_RE.match(text)
    if not match:
        return None
    for entity in message.get("entities") or []:
        if entity.get("entity") == "faq_id" and entity.get("value"):
            return str(entity["value"])
    try:
        value = json.loads(match.group(1)).get("faq_id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _build_service() -> FaqService:
    from retrieval.encoder import load_encoder

    settings = get_settings()
    paths, retrieval = settings.paths, settings.retrieval
    service = FaqService(
        paths.faq_dir,
        load_encoder(retrieval, models_dir=paths.models_dir),
        index_dir=paths.faq_index_dir,
        thresholds=Thresholds.load(paths.faq_thresholds),
        abbreviations=load_abbreviations(paths.abbreviations_path),
        strategy=retrieval.faq_strategy,
        hnsw_min=retrieval.faq_hnsw_min,
    )
    service.load()
    service.start_watching()
    return service


def get_service() -> FaqService:
    """The process-wide FaqService, created (and its watcher started) on first use."""
    global _service
    with _service_lock:
        if _service is None:
            _service = _build_service()
        return _service


def warm_up() -> None:
    """Load the model and the index before the server reports ready (``python -m actions``)."""
    get_service()


def _slots(
    *,
    domain: str | None = None,
    faq_id: str | None = None,
    fallback: bool,
    suggestions: list[dict[str, str]] | None = None,
) -> list[EventType]:
    return [
        SlotSet("answer_domain", domain),
        SlotSet("faq_id", faq_id),
        SlotSet("indicator", None),
        SlotSet("fallback", fallback),
        SlotSet("suggestions", suggestions or []),
    ]


def _answer_text(entry: FaqEntry) -> str:
    msg = _messages()
    return "\n".join(
        [
            entry.answer,
            msg["source"].format(source=entry.source),
            msg["updated"].format(date=entry.updated.strftime("%d/%m/%Y")),
        ]
    )


class ActionAnswerFaq(Action):
    """Thin action: resolve role → FaqService → utter → slots. Never raises out of `run`."""

    def __init__(
        self,
        service_factory: Callable[[], FaqService] = get_service,
        role_resolver: Callable[[Mapping[str, Any]], str] = resolve_role,
    ) -> None:
        self._service_factory = service_factory
        self._role_resolver = role_resolver

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = nfc(str(message.get("text") or "")).strip()
        role = self._role_resolver(message.get("metadata") or {})
        msg = _messages()
        try:
            service = await asyncio.to_thread(self._service_factory)
            chosen = payload_faq_id(message)
            if chosen is not None:
                return self._answer_chosen(dispatcher, service, chosen, role)
            if not text:
                dispatcher.utter_message(text=msg["empty"])
                return _slots(fallback=True)
            reply = await asyncio.to_thread(service.ask, text, role=role)
        except RetrievalError as exc:
            logger.warning("FAQ retrieval failed: %s", exc)
            dispatcher.utter_message(text=msg["unavailable"])
            return _slots(fallback=True)
        decision = reply.decision
        logger.debug(
            "FAQ decision %s score=%.3f margin=%.3f", decision.kind, decision.score, decision.margin
        )
        if decision.kind == "answer" and reply.entries:
            entry = reply.entries[0]
            dispatcher.utter_message(text=_answer_text(entry))
            return _slots(domain=entry.domain, faq_id=entry.id, fallback=False)
        if decision.kind == "suggest" and reply.entries:
            suggestions = [{"title": e.questions[0], "faq_id": e.id} for e in reply.entries]
            buttons = [
                {
                    "title": s["title"],
                    "payload": "/ask_faq"
                    + json.dumps({"faq_id": s["faq_id"]}, separators=(",", ":")),
                }
                for s in suggestions
            ]
            dispatcher.utter_message(text=msg["suggest_lead"], buttons=buttons)
            return _slots(domain=reply.entries[0].domain, fallback=False, suggestions=suggestions)
        names = [d.name for d in service.corpus.domains.values()]
        dispatcher.utter_message(text=msg["decline"].format(domains=", ".join(names)))
        return _slots(fallback=True)

    @staticmethod
    def _answer_chosen(
        dispatcher: CollectingDispatcher, service: FaqService, faq_id: str, role: str
    ) -> list[EventType]:
        entry = service.entry(faq_id, role=role)
        if entry is None:
            dispatcher.utter_message(text=_messages()["not_found"])
            return _slots(fallback=True)
        dispatcher.utter_message(text=_answer_text(entry))
        return _slots(domain=entry.domain, faq_id=entry.id, fallback=False)
