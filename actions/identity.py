"""Who is asking: ``staff`` or ``citizen``, from signed role tokens or channel allow-lists.

A plain ``"role": "staff"`` in message metadata is never trusted: anybody can send metadata.
Staff is recognised when (a) ``metadata["role_token"]`` is a token signed with
``ASSISTANT_ROLE_SECRET`` that has not expired, or (b) ``metadata["channel"]`` + ``user_id``
is in ``ASSISTANT_STAFF_TELEGRAM_IDS`` / ``ASSISTANT_STAFF_ZALO_IDS``.

Token format (compact, URL-safe):
``v1.<base64url(JSON {"sub","role","exp"})>.<base64url(HMAC-SHA256)>``
where the HMAC covers ``v1.<payload>``. Tokens are bearer tokens: keep the TTL short.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from settings.services import IdentitySettings

__all__ = [
    "Role",
    "RoleClaims",
    "resolve_role",
    "sign_role_token",
    "verify_role_token",
]

logger = logging.getLogger(__name__)
Role = Literal["staff", "citizen"]
_VERSION = "v1"
_ROLES = ("staff", "citizen")


@dataclass(frozen=True)
class RoleClaims:
    user_id: str
    role: str
    expires_at: int  # Unix seconds


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signed: str) -> str:
    return _b64encode(
        hmac.new(secret.encode("utf-8"), signed.encode("ascii"), hashlib.sha256).digest()
    )


def sign_role_token(
    user_id: str, role: str, ttl_s: int, secret: str, *, now: float | None = None
) -> str:
    """Token for ``user_id`` with ``role``, valid ``ttl_s`` seconds (web portals, the CLI)."""
    if not secret:
        raise ValueError("role secret is empty; set ASSISTANT_ROLE_SECRET to sign role tokens")
    if role not in _ROLES:
        raise ValueError(f"role {role!r} must be one of {_ROLES}")
    if ttl_s <= 0:
        raise ValueError(f"ttl_s={ttl_s} must be positive")
    claims = {"sub": str(user_id), "role": role, "exp": int((now or time.time()) + ttl_s)}
    payload = _b64encode(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signed = f"{_VERSION}.{payload}"
    return f"{signed}.{_mac(secret, signed)}"


def verify_role_token(token: str, secret: str, *, now: float | None = None) -> RoleClaims | None:
    """Claims of a valid, unexpired token; None for anything forged, expired or malformed."""
    if not secret or not isinstance(token, str):
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        return None
    signed = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_mac(secret, signed), parts[2]):
        logger.warning("role token with an invalid signature rejected")
        return None
    try:
        claims = json.loads(_b64decode(parts[1]))
        result = RoleClaims(str(claims["sub"]), str(claims["role"]), int(claims["exp"]))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if result.expires_at < (now or time.time()) or result.role not in _ROLES:
        return None
    return result


def resolve_role(
    metadata: Mapping[str, Any] | None, settings: IdentitySettings, *, now: float | None = None
) -> Role:
    """``staff`` for a verified token or an allow-listed channel user, else ``citizen``."""
    metadata = metadata or {}
    token = metadata.get("role_token")
    if token:
        claims = verify_role_token(token, settings.role_secret, now=now)
        if claims is not None and claims.role == "staff":
            return "staff"
    channel, user_id = metadata.get("channel"), str(metadata.get("user_id") or "")
    allowed = {"telegram": settings.staff_telegram_ids, "zalo": settings.staff_zalo_ids}
    if user_id and user_id in allowed.get(str(channel), frozenset()):
        return "staff"
    return "citizen"
