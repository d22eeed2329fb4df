"""Who is asking: ``staff`` only from a verified signed claim, bound to the conversation.

Nothing unsigned raises a role: ``channel``, ``user_id``, ``role`` or any other metadata a client
sends is ignored here. Staff is recognised when ``metadata["role_token"]`` is a JWT that

- is signed by the assistant itself (HS256 with ``ASSISTANT_ROLE_SECRET``, issuer and audience
  :data:`ISSUER`): the Telegram/Zalo bridges sign one for an allow-listed user's message,
  ``bin/assistant`` for its own questions, ``bin/assistant token mint`` for tests and portals; or
- is issued by the province's portal (HS256 with ``ASSISTANT_PORTAL_JWT_SECRET``, or RS256 with
  the public key in ``ASSISTANT_PORTAL_JWT_PUBLIC_KEY_FILE``; issuer and audience from settings),

and whatever its issuer: ``role`` is ``"staff"``, ``sid`` equals the conversation's sender id (a
claim replayed in another conversation is refused), ``iat``/``exp`` are present, not in the future
or past, and ``exp - iat`` is at most ``ASSISTANT_STAFF_TOKEN_MAX_TTL_S``. Malformed tokens (not a
string, non-ASCII, over :data:`MAX_TOKEN_CHARS`) mean citizen, never an exception.

This module imports only the standard library and PyJWT at load time: ``bin/assistant`` (Rasa
runtime) mints its local claims with :func:`mint_claim` too.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jwt

if TYPE_CHECKING:
    from settings.services import IdentitySettings

__all__ = [
    "ISSUER",
    "MAX_TOKEN_CHARS",
    "ClaimVerifier",
    "Claims",
    "IdentityError",
    "Role",
    "bridge_claim",
    "mint_claim",
    "resolve_role",
]

logger = logging.getLogger(__name__)
Role = Literal["staff", "citizen"]
ISSUER = "trolyao-ioc"  # issuer and audience of the assistant's own claims
MAX_TOKEN_CHARS = 4096
MAX_SENDER_CHARS = 512
LEEWAY_S = 30  # clock skew tolerated between the signer and the action server
_REQUIRED = ("exp", "iat", "iss", "aud", "sub", "sid", "role")


class IdentityError(ValueError):
    """A claim cannot be minted, or the portal key cannot be read (message says the fix)."""


@dataclass(frozen=True)
class Claims:
    subject: str  # who (portal user, "telegram:<id>", "cli"…)
    sender: str  # the conversation the claim is bound to
    issuer: str
    expires_at: int  # Unix seconds


def mint_claim(
    sender: str,
    secret: str,
    *,
    ttl_s: int,
    subject: str | None = None,
    max_ttl_s: int | None = None,
    now: float | None = None,
) -> str:
    """A staff claim for the conversation ``sender``, valid ``ttl_s`` seconds, signed with the
    assistant's own ``secret`` (``ASSISTANT_ROLE_SECRET``)."""
    if not secret:
        raise IdentityError("ASSISTANT_ROLE_SECRET is empty: set it to sign staff claims")
    if not sender or len(sender) > MAX_SENDER_CHARS:
        raise IdentityError(f"sender id must be 1..{MAX_SENDER_CHARS} characters")
    if ttl_s <= 0 or (max_ttl_s is not None and ttl_s > max_ttl_s):
        raise IdentityError(f"ttl {ttl_s} s must be in 1..{max_ttl_s or 'max'} s")
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": ISSUER,
        "aud": ISSUER,
        "sub": subject or sender,
        "sid": sender,
        "role": "staff",
        "iat": issued,
        "exp": issued + int(ttl_s),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Issuer:
    name: str
    audience: str
    key: Any
    algorithm: str


class ClaimVerifier:
    """Verifies staff claims against the assistant's own secret and the portal's key."""

    def __init__(self, settings: IdentitySettings) -> None:
        self._max_ttl_s = settings.max_token_ttl_s
        self._issuers: list[_Issuer] = []
        if settings.role_secret:
            self._issuers.append(_Issuer(ISSUER, ISSUER, settings.role_secret, "HS256"))
        if settings.portal_jwt_public_key_file:
            key = _read_public_key(settings.portal_jwt_public_key_file)
            self._issuers.append(
                _Issuer(settings.portal_jwt_issuer, settings.portal_jwt_audience, key, "RS256")
            )
        elif settings.portal_jwt_secret:
            self._issuers.append(
                _Issuer(
                    settings.portal_jwt_issuer,
                    settings.portal_jwt_audience,
                    settings.portal_jwt_secret,
                    "HS256",
                )
            )

    def verify(self, token: object, sender: object, *, now: float | None = None) -> Claims | None:
        """The claims of a valid staff token for conversation ``sender``; None for anything else
        (forged, expired, too long-lived, another conversation, malformed). Never raises."""
        if not isinstance(token, str) or not isinstance(sender, str) or not sender:
            return None
        if len(token) > MAX_TOKEN_CHARS or not token.isascii() or token.count(".") != 2:
            return None
        clock = time.time() if now is None else now
        for issuer in self._issuers:
            claims = self._decode(token, issuer)
            if claims is None:
                continue
            return self._checked(claims, issuer, sender, clock)
        return None

    @staticmethod
    def _decode(token: str, issuer: _Issuer) -> dict[str, Any] | None:
        try:
            claims = jwt.decode(
                token,
                issuer.key,
                algorithms=[issuer.algorithm],
                audience=issuer.audience,
                issuer=issuer.name,
                # times are checked below against one clock (and testable with `now`)
                options={
                    "require": list(_REQUIRED),
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError, KeyError, UnicodeError, RecursionError):
            return None
        return claims if isinstance(claims, dict) else None

    def _checked(
        self, claims: dict[str, Any], issuer: _Issuer, sender: str, clock: float
    ) -> Claims | None:
        issued, expires = claims.get("iat"), claims.get("exp")
        if not (isinstance(issued, int) and isinstance(expires, int)):
            return None
        if isinstance(issued, bool) or isinstance(expires, bool):
            return None
        if issued > clock + LEEWAY_S or expires <= clock - LEEWAY_S:
            return None
        if expires - issued > self._max_ttl_s or expires <= issued:
            logger.info("staff token from %s refused: lifetime over the maximum", issuer.name)
            return None
        nbf = claims.get("nbf")
        if nbf is not None and (not _is_int(nbf) or nbf > clock + LEEWAY_S):
            return None
        subject, bound = claims.get("sub"), claims.get("sid")
        if claims.get("role") != "staff" or not isinstance(subject, str):
            return None
        if bound != sender:
            logger.warning(
                "staff token from %s refused: bound to another conversation", issuer.name
            )
            return None
        return Claims(subject, sender, issuer.name, expires)

    def role(
        self, metadata: Mapping[str, Any] | None, sender: object, *, now: float | None = None
    ) -> Role:
        """``staff`` for a valid claim in ``metadata["role_token"]`` bound to ``sender``."""
        token = metadata.get("role_token") if isinstance(metadata, Mapping) else None
        if token is None:
            return "citizen"
        return "staff" if self.verify(token, sender, now=now) is not None else "citizen"


def _read_public_key(path: Path) -> Any:
    try:
        return jwt.get_algorithm_by_name("RS256").prepare_key(path.read_bytes())
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise IdentityError(
            f"ASSISTANT_PORTAL_JWT_PUBLIC_KEY_FILE={path}: not a readable PEM public key ({exc})"
        ) from exc


def resolve_role(
    metadata: Mapping[str, Any] | None,
    sender: object,
    settings: IdentitySettings,
    *,
    now: float | None = None,
) -> Role:
    """``staff`` only for a verified claim bound to ``sender``, else ``citizen``."""
    return ClaimVerifier(settings).role(metadata, sender, now=now)


def bridge_claim(channel: str, user_id: str, sender: str, settings: IdentitySettings) -> str | None:
    """The claim a Telegram/Zalo bridge forwards for an allow-listed user, else None."""
    allowed = {"telegram": settings.staff_telegram_ids, "zalo": settings.staff_zalo_ids}
    if user_id not in allowed.get(channel, frozenset()):
        return None
    if not settings.role_secret:
        logger.warning("%s staff user served as citizen: ASSISTANT_ROLE_SECRET is empty", channel)
        return None
    return mint_claim(
        sender,
        settings.role_secret,
        ttl_s=settings.claim_ttl_s,
        subject=f"{channel}:{user_id}",
        max_ttl_s=settings.max_token_ttl_s,
    )
