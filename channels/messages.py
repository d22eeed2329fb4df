"""Vietnamese channel messages loaded from `data/messages/channels.yml`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from channels.errors import MessagesError
from vitext import nfc

__all__ = ["Messages"]


@dataclass(frozen=True)
class Messages:
    rate_limited: str
    too_long: str  # has a {max_chars} placeholder
    empty: str
    unavailable: str
    choose: str
    expired_button: str
    telegram_start: str
    telegram_help: str
    zalo_follow: str
    zalo_image: str
    zalo_location: str
    zalo_sticker: str
    privacy_notice: str  # before the first message (docs/privacy.md)
    feedback_thanks: str  # after a 👍/👎 button

    @classmethod
    def load(cls, path: Path) -> Messages:
        """Load and NFC-normalise the messages; every field must be a non-empty string."""
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise MessagesError(f"{path}: cannot read channel messages: {exc}") from exc
        if not isinstance(raw, dict):
            raise MessagesError(f"{path}:1: expected a mapping of message keys to texts")
        fields = cls.__dataclass_fields__
        missing = [key for key in fields if not isinstance(raw.get(key), str) or not raw[key]]
        if missing:
            raise MessagesError(f"{path}: missing or empty keys {missing}; add them as strings")
        return cls(**{key: nfc(raw[key]) for key in fields})
