"""Editors' workflow: what the action server serves (the published version or the draft)."""

from __future__ import annotations

from typing import Literal

from settings.services._base import Group, var

__all__ = ["EditorialSettings"]


class EditorialSettings(Group):
    faq_serve: Literal["published", "draft"] = var(
        "published",
        "ASSISTANT_FAQ_SERVE",
        "published = the action server serves the last published FAQ version (bin/assistant faq "
        "publish / rollback; the first start publishes the draft as version 1); draft = "
        "development mode: it serves ASSISTANT_FAQ_DIR and every saved edit goes live",
    )
    faq_poll_s: float = var(
        1.0,
        "ASSISTANT_FAQ_POLL_S",
        "seconds between two looks of an action server at the published version (hot swap)",
        gt=0,
        le=60,
    )
    faq_publish_wait_s: float = var(
        120.0,
        "ASSISTANT_FAQ_PUBLISH_WAIT_S",
        "how long 'faq publish' / 'faq rollback' wait for every running action server to swap",
        gt=0,
    )
