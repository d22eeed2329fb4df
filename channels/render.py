"""One reply renderer: Rasa reply dicts -> web JSON, Telegram messages, Zalo OA messages.

Every channel goes through `parse_rasa` first, so a reply (text, buttons, image, custom payload)
means the same thing everywhere; only the platform limits differ.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis import Redis

__all__ = [
    "TELEGRAM_CALLBACK_MAX_BYTES",
    "TELEGRAM_MAX_BUTTONS",
    "TELEGRAM_TEXT_MAX",
    "ZALO_BUTTON_TITLE_MAX",
    "ZALO_MAX_BUTTONS",
    "ZALO_TEXT_MAX",
    "Button",
    "PayloadStore",
    "RedisPayloadStore",
    "Reply",
    "TelegramOut",
    "cut_text",
    "parse_rasa",
    "render_telegram",
    "render_zalo",
    "split_text",
    "utf16_len",
]

logger = logging.getLogger(__name__)

TELEGRAM_TEXT_MAX = 4096  # UTF-16 code units per sendMessage text
TELEGRAM_MAX_BUTTONS = 8
TELEGRAM_CALLBACK_MAX_BYTES = 64
ZALO_TEXT_MAX = 2000
ZALO_MAX_BUTTONS = 5
ZALO_BUTTON_TITLE_MAX = 100


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    text: str = ""
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    custom: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class TelegramOut:
    """One Telegram call: sendMessage (text) or sendPhoto (photo_url)."""

    text: str | None = None
    photo_url: str | None = None
    keyboard: tuple[tuple[str, str], ...] = ()  # (title, callback_data), one button per row


def utf16_len(text: str) -> int:
    """Length as Telegram and Zalo count it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def parse_rasa(messages: Iterable[Mapping[str, Any]]) -> list[Reply]:
    """Normalise Rasa REST reply dicts; malformed parts are dropped with a warning."""
    replies: list[Reply] = []
    for message in messages:
        raw_text = message.get("text")
        text = raw_text if isinstance(raw_text, str) else ""
        buttons = tuple(
            Button(str(b["title"]), str(b["payload"]))
            for b in message.get("buttons") or ()
            if isinstance(b, Mapping) and b.get("title") and b.get("payload")
        )
        image = message.get("image") if isinstance(message.get("image"), str) else None
        attachment = message.get("attachment")
        if image is None and isinstance(attachment, Mapping):
            src = attachment.get("payload", {})
            if attachment.get("type") == "image" and isinstance(src, Mapping):
                image = src.get("src") or src.get("url")
        custom = message.get("custom") if isinstance(message.get("custom"), Mapping) else None
        reply = Reply(text=text.strip(), buttons=buttons, image=image, custom=custom)
        if reply == Reply():
            logger.warning("dropping a Rasa reply with no text, buttons, image or custom part")
            continue
        replies.append(reply)
    return replies


def _prefix_end(text: str, limit: int, units: Callable[[str], int]) -> int:
    """Largest index i with units(text[:i]) <= limit, never inside a combining sequence."""
    total = 0
    end = 0
    for index, char in enumerate(text):
        total += units(char)
        if total > limit:
            break
        end = index + 1
    while 0 < end < len(text) and unicodedata.combining(text[end]):
        end -= 1  # keep a base letter with its tone mark
    return end


def _cut_point(text: str, limit: int, units: Callable[[str], int], seps: tuple[str, ...]) -> int:
    hard = _prefix_end(text, limit, units)
    if hard <= 0:
        return max(1, len(text[:1]))
    window = text[: hard + 1]  # a separator right after the limit still counts
    for sep in seps:
        pos = window.rfind(sep)
        # a paragraph/line break in the first half would make needlessly small chunks
        if pos > (0 if sep == " " else hard // 2):
            return pos
    return hard


def split_text(text: str, limit: int, *, units: Callable[[str], int] = utf16_len) -> list[str]:
    """Split on paragraph, then line, then word boundaries into chunks of <= limit units."""
    chunks: list[str] = []
    rest = text.strip()
    while rest and units(rest) > limit:
        cut = _cut_point(rest, limit, units, ("\n\n", "\n", " "))
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return [chunk for chunk in chunks if chunk]


def cut_text(text: str, limit: int, *, units: Callable[[str], int] = utf16_len) -> str:
    """Truncate to <= limit units at a word boundary, ending with an ellipsis."""
    text = text.strip()
    if units(text) <= limit:
        return text
    cut = _cut_point(text, limit - 1, units, (" ", "\n"))
    return text[:cut].rstrip() + "…"


class PayloadStore:
    """Maps Rasa payloads to Telegram callback_data (<= 64 bytes), bounded LRU for long ones."""

    def __init__(self, max_items: int = 10_000) -> None:
        self._max_items = max_items
        self._items: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        """callback_data for `payload`: itself when short, else a `#<hash>` key kept here."""
        if len(payload.encode()) <= TELEGRAM_CALLBACK_MAX_BYTES and not payload.startswith("#"):
            return payload
        key = "#" + hashlib.sha256(payload.encode()).hexdigest()[:32]
        self._remember(key, payload)
        self._share(key, payload)
        return key

    def decode(self, data: str) -> str | None:
        """The payload for callback_data, or None when it has been evicted."""
        if not data.startswith("#"):
            return data
        payload = self._items.get(data)
        if payload is not None:
            self._items.move_to_end(data)
            return payload
        payload = self._shared(data)
        if payload is not None:
            self._remember(data, payload)
        return payload

    def _remember(self, key: str, payload: str) -> None:
        self._items[key] = payload
        self._items.move_to_end(key)
        while len(self._items) > self._max_items:
            self._items.popitem(last=False)

    def _share(self, key: str, payload: str) -> None:
        """Hook: keep the pair where other processes see it (none in one process)."""

    def _shared(self, key: str) -> str | None:
        """Hook: the pair kept by another process (none in one process)."""
        return None


class RedisPayloadStore(PayloadStore):
    """`PayloadStore` whose long payloads are also in Redis: a button rendered by one web app
    process works when its press reaches another. Redis trouble is logged and the local LRU
    keeps serving what this process rendered."""

    def __init__(
        self,
        client: Redis,
        *,
        ttl_s: int = 30 * 24 * 3600,
        prefix: str = "trolyao:telegram:payload:",
        max_items: int = 10_000,
    ) -> None:
        super().__init__(max_items)
        self._client = client
        self._ttl_s = ttl_s
        self._prefix = prefix

    def _share(self, key: str, payload: str) -> None:
        from redis.exceptions import RedisError

        try:
            self._client.set(self._prefix + key, payload.encode(), ex=self._ttl_s)
        except RedisError as exc:
            logger.warning("telegram button payload not shared (Redis): %s", exc)

    def _shared(self, key: str) -> str | None:
        from redis.exceptions import RedisError

        try:
            found = self._client.get(self._prefix + key)
        except RedisError as exc:
            logger.warning("telegram button payload not readable (Redis): %s", exc)
            return None
        return found.decode() if isinstance(found, bytes) else None


def _custom_text(custom: Mapping[str, Any] | None) -> str:
    text = custom.get("text") if custom else None
    return text.strip() if isinstance(text, str) else ""


def render_telegram(
    replies: Iterable[Reply], *, store: PayloadStore, choose_text: str
) -> list[TelegramOut]:
    """Telegram calls: text chunks <= 4096, inline keyboard on the last chunk, photos by URL."""
    out: list[TelegramOut] = []
    for reply in replies:
        text = reply.text or _custom_text(reply.custom)
        buttons = reply.buttons[:TELEGRAM_MAX_BUTTONS]
        if len(reply.buttons) > TELEGRAM_MAX_BUTTONS:
            logger.warning("telegram: %d buttons, keeping %d", len(reply.buttons), len(buttons))
        chunks = split_text(text, TELEGRAM_TEXT_MAX) if text else []
        if buttons and not chunks:
            chunks = [choose_text]
        keyboard = tuple((b.title, store.encode(b.payload)) for b in buttons)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            out.append(TelegramOut(text=chunk, keyboard=keyboard if last else ()))
        if reply.image:
            out.append(TelegramOut(photo_url=reply.image))
    return out


def render_zalo(replies: Iterable[Reply], *, choose_text: str) -> list[dict[str, Any]]:
    """Zalo OA v3 `message` objects: text <= 2000 cut safely, oa.query.show buttons, images."""
    out: list[dict[str, Any]] = []
    for reply in replies:
        text = reply.text or _custom_text(reply.custom)
        buttons = reply.buttons[:ZALO_MAX_BUTTONS]
        if buttons and not text:
            text = choose_text
        if text:
            message: dict[str, Any] = {"text": cut_text(text, ZALO_TEXT_MAX)}
            if buttons:
                message["attachment"] = {
                    "type": "template",
                    "payload": {
                        "buttons": [
                            {
                                "title": cut_text(b.title, ZALO_BUTTON_TITLE_MAX),
                                "payload": b.payload,
                                "type": "oa.query.show",
                            }
                            for b in buttons
                        ]
                    },
                }
            out.append(message)
        if reply.image:
            out.append(
                {
                    "attachment": {
                        "type": "template",
                        "payload": {
                            "template_type": "media",
                            "elements": [{"media_type": "image", "url": reply.image}],
                        },
                    }
                }
            )
    return out
