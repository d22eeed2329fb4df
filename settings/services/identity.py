"""Who may see staff-only data."""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from settings.services._base import Group, var

__all__ = ["IdentitySettings"]


class IdentitySettings(Group):
    role_secret: str = var(
        "",
        "ASSISTANT_ROLE_SECRET",
        "HMAC secret that signs staff role tokens (web portal, CLI); required for staff access",
    )
    staff_telegram_ids: frozenset[str] = var(
        frozenset(),
        "ASSISTANT_STAFF_TELEGRAM_IDS",
        "staff on Telegram: comma-separated user ids",
    )
    staff_zalo_ids: frozenset[str] = var(
        frozenset(), "ASSISTANT_STAFF_ZALO_IDS", "staff on Zalo: comma-separated user ids"
    )

    @field_validator("staff_telegram_ids", "staff_zalo_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value
