"""Rasa intent payloads: built for buttons, and read back from the message a button sends.

A button's payload is ``/intent{"entity":"value",…}``; Rasa parses it into the message's
``entities`` and keeps the payload as its ``text``. Only this module knows that syntax.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["MAX_PAYLOAD_CHARS", "chosen_entities", "intent_payload", "metadata_of"]

MAX_PAYLOAD_CHARS = 2000  # our payloads are < 200 characters; anything longer is not a choice
_MAX_VALUE_CHARS = 200
_INTENT_RE = re.compile(r"[A-Za-z0-9_]+")
_PAYLOAD_RE = re.compile(r"/(?P<intent>[A-Za-z0-9_]+)\s*(?P<entities>\{.*\})?", re.DOTALL)


def intent_payload(intent: str, entities: Mapping[str, str]) -> str:
    """Payload of a button that sends ``intent`` with ``entities``: ``/ask_faq{"faq_id":"…"}``."""
    if not _INTENT_RE.fullmatch(intent):
        raise ValueError(f"intent {intent!r} must be letters, digits and '_' (e.g. 'ask_faq')")
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(dict(entities), ensure_ascii=False, separators=(",", ":"))


def _scalars(pairs: Any) -> dict[str, str]:
    """String keys with short scalar values, as text; anything else is dropped."""
    found: dict[str, str] = {}
    for key, value in pairs:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(value)
        if isinstance(key, str) and text and len(text) <= _MAX_VALUE_CHARS:
            found[key] = text
    return found


def chosen_entities(message: Mapping[str, Any], intent: str) -> dict[str, str]:
    """Entities chosen with a button of ``intent``: Rasa's parsed ones, else the payload's JSON.

    Empty (no choice) unless the message text is a ``/<intent>{…}`` payload; malformed,
    non-object or oversized payloads are no choice either, never an error.
    """
    text = message.get("text")
    if not isinstance(text, str) or len(text) > MAX_PAYLOAD_CHARS:
        return {}
    match = _PAYLOAD_RE.fullmatch(text.strip())
    if match is None or match["intent"] != intent:
        return {}
    entities = message.get("entities")
    if isinstance(entities, list):
        parsed = _scalars(
            (e.get("entity"), e.get("value")) for e in entities if isinstance(e, dict)
        )
        if parsed:
            return parsed
    try:
        raw = json.loads(match["entities"] or "{}")
    except (ValueError, RecursionError):
        return {}
    return _scalars(raw.items()) if isinstance(raw, dict) else {}


def metadata_of(message: Mapping[str, Any]) -> Mapping[str, Any]:
    """The message's metadata (channel, user, role token…); empty when absent or malformed."""
    metadata = message.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}
