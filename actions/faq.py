"""`action_answer_faq`: answer from the FAQ corpus, suggest close entries, or decline politely."""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.errors import MessagesError
from actions.messages import FaqMessages
from actions.payloads import chosen_entities, intent_payload, metadata_of
from actions.reach import out_of_reach
from analytics.marks import turn_mark
from inbox.feedback import feedback_payload
from ioc.errors import IndicatorError
from ioc.figure import asks_figure
from ioc.parser import ParsedQuestion
from retrieval.corpus import FaqEntry
from retrieval.errors import RetrievalError
from retrieval.service import FaqService
from vitext import nfc

__all__ = ["ActionAnswerFaq"]

logger = logging.getLogger(__name__)
# The NLU said "not a FAQ question" (out of scope) or ask_indicator found no indicator in it and
# handed the turn over: answer only on strong retrieval evidence (retrieval.decision).
SECOND_OPINION_INTENTS = frozenset({"out_of_scope", "ask_indicator"})
_INDICATOR_ACTION = "action_query_indicator"
# last resort when the message templates themselves cannot be loaded
_BROKEN = "Xin lỗi, chức năng hỏi đáp đang gặp sự cố. Bạn vui lòng thử lại sau."


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


def _feedback_buttons(tracker: Tracker, faq_id: str, msg: FaqMessages) -> list[dict[str, str]]:
    """👍/👎 under an answer; they name the turn by the user message's timestamp."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user" and isinstance(event.get("timestamp"), int | float):
            ts = float(event["timestamp"])
            return [
                {"title": msg.feedback_up, "payload": feedback_payload(ts, faq_id, "up")},
                {"title": msg.feedback_down, "payload": feedback_payload(ts, faq_id, "down")},
            ]
    return []


def _answer_text(entry: FaqEntry, msg: FaqMessages) -> str:
    return "\n".join(
        [
            entry.answer,
            msg.source.format(source=entry.source),
            msg.updated.format(date=entry.updated.strftime("%d/%m/%Y")),
        ]
    )


def _parsed(text: str) -> ParsedQuestion | None:
    """The IOC parser's reading of ``text`` (None: an impossible period, no evidence either way)."""
    try:
        return runtime.IOC.get().parser.parse(text, date.today())
    except IndicatorError as exc:
        logger.debug("indicator parse failed: %s", exc)
        return None


def _unknown_indicator() -> str:
    """The indicator service's "no such indicator" reply (the FAQ decline if it won't load)."""
    try:
        return runtime.IOC.get().messages.get("unknown")
    except IndicatorError as exc:
        logger.warning("indicator messages not loaded: %s", exc)
        return _BROKEN


class ActionAnswerFaq(Action):
    """Thin action: resolve role → FaqService → utter → slots. Never raises out of `run`."""

    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        text = nfc(str(message.get("text") or "")).strip()
        role = runtime.resolve_role(metadata_of(message), tracker.sender_id)
        try:
            msg = await asyncio.to_thread(runtime.FAQ_MESSAGES.get)
        except MessagesError as exc:
            logger.warning("FAQ messages not loaded: %s", exc)
            dispatcher.utter_message(text=_BROKEN, **turn_mark("decline", role=role))
            return _slots(fallback=True)
        try:
            service = await asyncio.to_thread(runtime.FAQ.get)
            chosen = chosen_entities(message, "ask_faq").get("faq_id")
            if chosen:
                return self._answer_chosen(dispatcher, tracker, service, msg, chosen, role)
            if not text:
                dispatcher.utter_message(text=msg.empty, **turn_mark("decline", role=role))
                return _slots(fallback=True)
            reach = out_of_reach(text)
            if reach is not None:
                refusal = {
                    "other_place": {"text": msg.outside},
                    "other_service": {"text": msg.outside_service},
                    "harm": {"response": "utter_out_of_scope"},
                    "personal": {"text": msg.personal},
                }[reach]
                dispatcher.utter_message(**refusal, **turn_mark("decline", role=role))
                return _slots(fallback=True)
            # a staff turn is read by the IOC parser once, for both hand-overs below
            parsed = await asyncio.to_thread(_parsed, text) if role == "staff" else None
            if parsed is not None and asks_figure(parsed, text):
                # a staff member asks the IOC for a number ("số DN thành lập mới tháng này"):
                # the figure comes before the FAQ entry on the same topic (how to register)
                return [FollowupAction(_INDICATOR_ACTION)]
            intent = str((message.get("intent") or {}).get("name") or "")
            second_opinion = intent in SECOND_OPINION_INTENTS
            reply = await asyncio.to_thread(
                service.ask, text, role=role, second_opinion=second_opinion
            )
        except RetrievalError as exc:
            logger.warning("FAQ retrieval failed: %s", exc)
            dispatcher.utter_message(text=msg.unavailable, **turn_mark("decline", role=role))
            return _slots(fallback=True)
        decision = reply.decision
        logger.debug(
            "FAQ decision %s score=%.3f margin=%.3f", decision.kind, decision.score, decision.margin
        )
        hits = reply.result.hits
        mark = turn_mark(
            decision.kind if reply.entries else "decline",
            role=role,
            score=decision.score if hits else None,
            guessed_domain=hits[0].domain if hits else None,
        )
        if decision.kind == "answer" and reply.entries:
            entry = reply.entries[0]
            buttons = _feedback_buttons(tracker, entry.id, msg)
            dispatcher.utter_message(text=_answer_text(entry, msg), buttons=buttons, **mark)
            related = [{"title": e.questions[0], "faq_id": e.id} for e in reply.related]
            if related:
                dispatcher.utter_message(
                    text=msg.related_lead,
                    buttons=[
                        {
                            "title": r["title"],
                            "payload": intent_payload("ask_faq", {"faq_id": r["faq_id"]}),
                        }
                        for r in related
                    ],
                )
            return _slots(domain=entry.domain, faq_id=entry.id, fallback=False, suggestions=related)
        if decision.kind == "suggest" and reply.entries:
            suggestions = [{"title": e.questions[0], "faq_id": e.id} for e in reply.entries]
            buttons = [
                {"title": s["title"], "payload": intent_payload("ask_faq", {"faq_id": s["faq_id"]})}
                for s in suggestions
            ]
            dispatcher.utter_message(text=msg.suggest_lead, buttons=buttons, **mark)
            return _slots(domain=reply.entries[0].domain, fallback=False, suggestions=suggestions)
        if parsed is not None and parsed.indicator_codes:
            # a staff member, no FAQ answer, and the catalog recognises an indicator in the text:
            # the classifier missed a figure question ("thu ngan sach luy ke" -> out_of_scope)
            return [FollowupAction(_INDICATOR_ACTION)]
        if intent == "out_of_scope":  # the NLU's "no" stands: its own reply
            dispatcher.utter_message(response="utter_out_of_scope", **mark)
            return _slots(fallback=True)
        if intent == "ask_indicator":  # handed over by action_query_indicator: its own reply
            dispatcher.utter_message(text=await asyncio.to_thread(_unknown_indicator), **mark)
            return _slots(fallback=True)
        names = [d.name for d in service.corpus.domains.values()]
        dispatcher.utter_message(text=msg.decline.format(domains=", ".join(names)), **mark)
        return _slots(fallback=True)

    @staticmethod
    def _answer_chosen(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        service: FaqService,
        msg: FaqMessages,
        faq_id: str,
        role: str,
    ) -> list[EventType]:
        entry = service.entry(faq_id, role=role)
        if entry is None:
            dispatcher.utter_message(text=msg.not_found, **turn_mark("decline", role=role))
            return _slots(fallback=True)
        buttons = _feedback_buttons(tracker, entry.id, msg)
        mark = turn_mark("answer", role=role, guessed_domain=entry.domain)
        dispatcher.utter_message(text=_answer_text(entry, msg), buttons=buttons, **mark)
        return _slots(domain=entry.domain, faq_id=entry.id, fallback=False)
