"""``action_query_indicator``: live IOC indicators (value, comparison, plan, chart)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.payloads import chosen_entities, intent_payload, metadata_of
from actions.reach import out_of_reach
from analytics.marks import turn_mark
from analytics.schema import Decision
from ioc.errors import IndicatorError, PeriodError
from ioc.periods import Period, decode_period, encode_period
from ioc.reply import IndicatorChoice, IndicatorReply
from ioc.service import end_of
from vitext import nfc

__all__ = ["ActionQueryIndicator", "choice_payload"]

logger = logging.getLogger(__name__)
# last resort when the service itself fails (its message templates may be what failed)
_BROKEN = "Xin lỗi, chức năng tra cứu số liệu đang gặp sự cố. Bạn vui lòng thử lại sau."
_INTENT = "ask_indicator"
_FAQ_ACTION = "action_answer_faq"


def choice_payload(choice: IndicatorChoice) -> str:
    """Button payload that asks for ``choice``, keeping its area and period."""
    entities = {"indicator_code": choice.code, "area_code": choice.area_code}
    if choice.period is not None:
        entities["period"] = encode_period(choice.period)
    return intent_payload(_INTENT, entities)


def _chosen_period(entities: Mapping[str, str]) -> Period | None:
    if not entities.get("period"):
        return None
    try:
        return decode_period(entities["period"])
    except PeriodError as exc:
        logger.warning("ignoring button period: %s", exc)
        return None


def _reference(metadata: Mapping[str, Any]) -> tuple[date, datetime]:
    raw = metadata.get("now")
    if isinstance(raw, str) and raw:
        try:
            today = date.fromisoformat(raw[:10])
            return today, end_of(today)
        except ValueError:
            logger.warning("ignoring invalid metadata now=%r (expected YYYY-MM-DD)", raw)
    now = datetime.now()
    return now.date(), now


def _decision(reply: IndicatorReply) -> Decision:
    if reply.refused:
        return "refused"
    if reply.choices:
        return "suggest"
    return "decline" if reply.fallback else "answer"


class ActionQueryIndicator(Action):
    """Thin action: role → IocService → utter (choices as buttons) → slots. Never raises."""

    def name(self) -> str:
        return "action_query_indicator"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        metadata = metadata_of(message)
        today, now = _reference(metadata)
        chosen = chosen_entities(message, _INTENT)
        code = chosen.get("indicator_code")
        text = "" if code else nfc(str(message.get("text") or ""))
        deadline = runtime.ioc_deadline()  # counted from now: waiting for a thread counts too
        role = runtime.resolve_role(metadata, tracker.sender_id)
        period = _chosen_period(chosen)

        if text and out_of_reach(text) is not None:
            # another province, a private provider or harm: the FAQ action words the decline
            return [FollowupAction(_FAQ_ACTION)]

        def ask() -> IndicatorReply:
            return runtime.IOC.get().ask(
                text,
                today=today,
                now=now,
                role=role,
                code=code,
                period=period,
                area_code=chosen.get("area_code"),
                deadline=deadline,
            )

        try:
            reply = await asyncio.get_running_loop().run_in_executor(runtime.IOC_TURNS.get(), ask)
        except IndicatorError as exc:
            logger.warning("indicator turn failed: %s", exc)
            reply = IndicatorReply(_BROKEN, fallback=True)
        if reply.unnamed and not code:
            # no indicator and no sector in the text: the classifier probably mistook a FAQ
            # question for a figure; the FAQ gives a second opinion (strong evidence only)
            return [FollowupAction(_FAQ_ACTION)]
        kwargs: dict[str, Any] = {
            "text": reply.text,
            **turn_mark(_decision(reply), role=role, guessed_domain=reply.domain),
        }
        if reply.image:
            kwargs["image"] = reply.image
        if reply.choices:
            kwargs["buttons"] = [
                {"title": c.title, "payload": choice_payload(c)} for c in reply.choices
            ]
        dispatcher.utter_message(**kwargs)
        return [
            SlotSet("indicator", reply.indicator_slot),
            SlotSet("answer_domain", reply.domain),
            SlotSet("faq_id", None),
            SlotSet("fallback", reply.fallback),
            SlotSet("suggestions", []),
        ]
