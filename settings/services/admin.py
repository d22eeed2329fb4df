"""The editors' admin page (``/admin`` on the web app) and its inbox (docs/editors-guide.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import model_validator

from settings.defaults import VAR_DIR, resolve_path
from settings.services._base import Group, base_dirs, var

__all__ = ["AdminSettings"]


class AdminSettings(Group):
    secret: str = var(
        "",
        "ASSISTANT_ADMIN_SECRET",
        "key that signs admin session cookies and CSRF tokens (>= 16 characters); empty = no "
        "/admin page",
    )
    users_file: Path = var(
        VAR_DIR / "admin_users.yml",
        "ASSISTANT_ADMIN_USERS_FILE",
        "editor accounts (name, argon2 hash, role, domains); write with "
        "`bin/assistant admin passwd NAME`",
    )
    session_hours: float = var(
        8.0, "ASSISTANT_ADMIN_SESSION_HOURS", "an admin login lasts this long", gt=0
    )
    cookie_secure: bool = var(
        False,
        "ASSISTANT_ADMIN_COOKIE_SECURE",
        "send the session cookie over HTTPS only (set true behind TLS)",
    )
    inbox_cluster_min: float = var(
        0.91,
        "ASSISTANT_INBOX_CLUSTER_MIN",
        "e5 cosine at which unanswered questions join one inbox cluster",
        gt=0,
        le=1,
    )
    inbox_ignore_min: float = var(
        0.92,
        "ASSISTANT_INBOX_IGNORE_MIN",
        "e5 cosine at which a new question counts as an ignored one (stays out of the inbox)",
        gt=0,
        le=1,
    )
    inbox_window_days: int = var(
        90, "ASSISTANT_INBOX_WINDOW_DAYS", "the inbox shows turns of this many days", ge=1
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        given = data.get("ASSISTANT_ADMIN_USERS_FILE")
        path = resolve_path(given) if given else base_dirs(data)[1] / "admin_users.yml"
        secret = data.get("ASSISTANT_ADMIN_SECRET") or ""
        if secret and len(secret) < 16:
            raise ValueError(
                "ASSISTANT_ADMIN_SECRET is shorter than 16 characters; use e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return {**data, "ASSISTANT_ADMIN_USERS_FILE": str(path)}
