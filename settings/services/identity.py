"""Who may see staff-only data: signed claims only (docs: README "Security")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import field_validator, model_validator

from settings.services._base import Group, var

__all__ = ["IdentitySettings"]

MIN_SECRET_CHARS = 32


class IdentitySettings(Group):
    role_secret: str = var(
        "",
        "ASSISTANT_ROLE_SECRET",
        f"HMAC secret (>= {MIN_SECRET_CHARS} chars) that signs the assistant's own staff claims "
        "(Telegram/Zalo bridges, bin/assistant, 'bin/assistant token mint'); empty = no staff "
        "claims are signed or accepted",
    )
    claim_ttl_s: int = var(
        300,
        "ASSISTANT_CLAIM_TTL_S",
        "lifetime of the claim a Telegram/Zalo bridge signs for one staff message",
        gt=0,
    )
    max_token_ttl_s: int = var(
        8 * 3600,
        "ASSISTANT_STAFF_TOKEN_MAX_TTL_S",
        "staff tokens (portal JWT or minted) living longer than this (exp - iat) are refused",
        gt=0,
    )
    staff_telegram_ids: frozenset[str] = var(
        frozenset(),
        "ASSISTANT_STAFF_TELEGRAM_IDS",
        "staff on Telegram: comma-separated user ids (the bridge signs their claims)",
    )
    staff_zalo_ids: frozenset[str] = var(
        frozenset(),
        "ASSISTANT_STAFF_ZALO_IDS",
        "staff on Zalo: comma-separated user ids (the bridge signs their claims)",
    )
    portal_jwt_secret: str = var(
        "",
        "ASSISTANT_PORTAL_JWT_SECRET",
        "the province portal's HS256 secret for staff JWTs on the web (or use the key file)",
    )
    portal_jwt_public_key_file: Path | None = var(
        None,
        "ASSISTANT_PORTAL_JWT_PUBLIC_KEY_FILE",
        "PEM file with the portal's RS256 public key for staff JWTs on the web",
    )
    portal_jwt_issuer: str = var(
        "", "ASSISTANT_PORTAL_JWT_ISSUER", "required 'iss' of portal JWTs (required with a key)"
    )
    portal_jwt_audience: str = var(
        "trolyao-ioc", "ASSISTANT_PORTAL_JWT_AUDIENCE", "required 'aud' of portal JWTs"
    )

    @field_validator("staff_telegram_ids", "staff_zalo_ids", mode="before")
    @classmethod
    def _comma_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("role_secret", "portal_jwt_secret")
    @classmethod
    def _long_secret(cls, value: str) -> str:
        if value and len(value) < MIN_SECRET_CHARS:
            raise ValueError(
                f"too short ({len(value)} chars): use at least {MIN_SECRET_CHARS}, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @model_validator(mode="after")
    def _portal_complete(self) -> IdentitySettings:
        if self.portal_jwt_secret and self.portal_jwt_public_key_file:
            raise ValueError(
                "set either ASSISTANT_PORTAL_JWT_SECRET (HS256) or "
                "ASSISTANT_PORTAL_JWT_PUBLIC_KEY_FILE (RS256), not both"
            )
        if self.claim_ttl_s > self.max_token_ttl_s:
            raise ValueError(
                f"ASSISTANT_CLAIM_TTL_S={self.claim_ttl_s} exceeds "
                f"ASSISTANT_STAFF_TOKEN_MAX_TTL_S={self.max_token_ttl_s}"
            )
        if self.portal_configured and not self.portal_jwt_issuer:
            raise ValueError("ASSISTANT_PORTAL_JWT_ISSUER is required with a portal JWT key")
        return self

    @property
    def portal_configured(self) -> bool:
        """Whether staff JWTs from the province portal are accepted."""
        return bool(self.portal_jwt_secret or self.portal_jwt_public_key_file)
