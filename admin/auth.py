"""Admin sessions: a signed, time-limited cookie (itsdangerous) carrying the name and CSRF token.

Every form carries the session's CSRF token; a POST whose token does not match the cookie's is
refused (403). The login form gets a pre-login cookie with its own token, so a login cannot be
forged from another site either. Cookies are ``HttpOnly`` and ``SameSite=Strict``.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

__all__ = ["COOKIE", "Session", "SessionSigner"]

COOKIE = "trolyao_admin"


@dataclass(frozen=True)
class Session:
    user: str | None  # None: not logged in yet (the login form's pre-session)
    csrf: str

    def csrf_ok(self, token: object) -> bool:
        return isinstance(token, str) and hmac.compare_digest(token, self.csrf)


class SessionSigner:
    """Signs and reads the session cookie; ``max_age_s`` bounds a login."""

    def __init__(self, secret: str, *, max_age_s: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="trolyao-admin-session")
        self.max_age_s = max_age_s

    def new(self, user: str | None) -> Session:
        return Session(user, secrets.token_urlsafe(24))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"u": session.user, "c": session.csrf})

    def load(self, cookie: str | None) -> Session | None:
        """The session in a valid, unexpired cookie, else None."""
        if not cookie or len(cookie) > 4096:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=int(self.max_age_s))
        except BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        user, csrf = data.get("u"), data.get("c")
        if (user is not None and not isinstance(user, str)) or not isinstance(csrf, str):
            return None
        return Session(user, csrf)
