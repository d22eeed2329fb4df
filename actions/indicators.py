"""``action_query_indicator``: live IOC indicators (value, comparison, plan, chart)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import date, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.identity import resolve_role
from ioc.errors import IndicatorError, PeriodError
from ioc.periods import Period, decode_period
from ioc.service import IndicatorReply, IocService, end_of
from settings.services import get_settings
from vitext import nfc

__all__ = ["ActionQueryIndicator"]

logger = logging.getLogger(__name__)
_LOCK = threading.Lock()
_STATE: dict[str, Any] = {}
# last resort when even the message templates cannot be loaded
_BROKEN = "Xin lỗi, chức năng tra cứu số liệu đang gặp sự cố. Bạn vui lòng thử lại sau."
_CHOICE_PREFIX = "/ask_indicator"


def _service() -> IocService:
    with _LOCK:
        if "service" not in _STATE:
            settings = get_settings()
            _STATE["service"] = IocService(
                settings.paths, settings.ioc, public_url=settings.web.public_url
            )
            _STATE["identity"] = settings.identity
        return _STATE["service"]


def _choice(message: dict[str, Any]) -> dict[str, str]:
    """Button choice from entities, or from the ``/ask_indicator{...}`` payload text."""
    found = {
        e.get("entity"): e.get("value")
        for e in message.get("entities") or []
        if isinstance(e, dict)
    }
    text = (message.get("text") or "").strip()
    if "indicator_code" not in found and text.startswith(_CHOICE_PREFIX + "{"):
        try:
            raw = json.loads(text[len(_CHOICE_PREFIX) :])
        except ValueError:
            raw = {}
        found.update(raw if isinstance(raw, dict) else {})
    return {k: str(v) for k, v in found.items() if isinstance(k, str) and v is not None}


def _chosen_period(choice: dict[str, str]) -> Period | None:
    if not choice.get("period"):
        return None
    try:
        return decode_period(choice["period"])
    except PeriodError as exc:
        logger.warning("ignoring button period: %s", exc)
        return None


def _reference(metadata: dict[str, Any]) -> tuple[date, datetime]:
    raw = metadata.get("now")
    if isinstance(raw, str) and raw:
        try:
            today = date.fromisoformat(raw[:10])
            return today, end_of(today)
        except ValueError:
            logger.warning("ignoring invalid metadata now=%r (expected YYYY-MM-DD)", raw)
    now = datetime.now()
    return now.date(), now


class ActionQueryIndicator(Action):
    def name(self) -> str:
        return "action_query_indicator"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        metadata = message.get("metadata") or {}
        today, now = _reference(metadata)
        choice = _choice(message)
        text = "" if choice.get("indicator_code") else nfc(message.get("text") or "")
        try:
            service = await asyncio.to_thread(_service)
            role = resolve_role(metadata, _STATE["identity"])
            reply = await asyncio.to_thread(
                service.ask,
                text,
                today=today,
                now=now,
                role=role,
                code=choice.get("indicator_code"),
                period=_chosen_period(choice),
                area_code=choice.get("area_code")
                if choice.get("area_code") in service.areas.units
                else None,
            )
        except IndicatorError as exc:
            logger.warning("indicator turn failed: %s", exc)
            reply = IndicatorReply(_BROKEN, fallback=True)
        kwargs: dict[str, Any] = {"text": reply.text}
        if reply.image:
            kwargs["image"] = reply.image
        if reply.buttons:
            kwargs["buttons"] = [dict(b) for b in reply.buttons]
        dispatcher.utter_message(**kwargs)
        return [
            SlotSet("indicator", reply.indicator_slot),
            SlotSet("answer_domain", reply.domain),
            SlotSet("faq_id", None),
            SlotSet("fallback", reply.fallback),
            SlotSet("suggestions", []),
        ]
