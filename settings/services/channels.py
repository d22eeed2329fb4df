"""The services web app and the chat platforms (docs/channels.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from settings.defaults import MAX_MESSAGE_CHARS, PUBLIC_URL, RASA_URL, RATE_LIMIT_PER_MIN
from settings.services._base import Group, var

__all__ = ["TelegramSettings", "WebSettings", "ZaloSettings"]


def _no_trailing_slash(data: Any, *names: str) -> Any:
    if not isinstance(data, dict):
        return data
    return {**data, **{n: str(data[n]).rstrip("/") for n in names if data.get(n)}}


class WebSettings(Group):
    host: str = var("127.0.0.1", "ASSISTANT_WEB_HOST", "interface of the services web app")
    port: int = var(8080, "ASSISTANT_WEB_PORT", "port of the services web app", ge=1, le=65535)
    public_url: str = var(
        PUBLIC_URL, "ASSISTANT_PUBLIC_URL", "public base URL of the web app (chart links)"
    )
    rasa_url: str = var(RASA_URL, "ASSISTANT_RASA_URL", "Rasa base URL used by the bridges")
    socket_url: str = var(
        "",
        "ASSISTANT_SOCKET_URL",
        "socket.io URL put in the demo page's widget tag (default ASSISTANT_RASA_URL)",
    )
    rasa_timeout_s: float = var(30.0, "ASSISTANT_RASA_TIMEOUT_S", "Rasa call timeout", gt=0)
    rate_limit_per_min: int = var(
        RATE_LIMIT_PER_MIN, "ASSISTANT_RATE_LIMIT_PER_MIN", "messages per user per minute", ge=1
    )
    max_message_chars: int = var(
        MAX_MESSAGE_CHARS, "ASSISTANT_MAX_MESSAGE_CHARS", "longest message accepted", ge=1
    )
    frame_ancestors: str = var(
        "'self'",
        "ASSISTANT_FRAME_ANCESTORS",
        "CSP frame-ancestors of the web app's pages: who may embed them in a frame "
        "(space-separated origins, e.g. 'self' https://cong.tinh.gov.vn; 'none' = nobody)",
    )
    webhook_max_body_bytes: int = var(
        65_536,
        "ASSISTANT_WEBHOOK_MAX_BODY_BYTES",
        "largest webhook body (Telegram, Zalo) read before it is refused with 413",
        ge=1024,
    )

    @model_validator(mode="before")
    @classmethod
    def _urls(cls, data: Any) -> Any:
        data = _no_trailing_slash(
            data, "ASSISTANT_PUBLIC_URL", "ASSISTANT_RASA_URL", "ASSISTANT_SOCKET_URL"
        )
        if isinstance(data, dict) and not data.get("ASSISTANT_SOCKET_URL"):
            data["ASSISTANT_SOCKET_URL"] = data.get("ASSISTANT_RASA_URL") or RASA_URL
        return data


class TelegramSettings(Group):
    bot_token: str = var("", "TELEGRAM_BOT_TOKEN", "bot token from @BotFather (enables Telegram)")
    mode: Literal["polling", "webhook"] = var(
        "polling",
        "TELEGRAM_MODE",
        "polling (no public URL needed) or webhook (POST /webhooks/telegram on the web app)",
    )
    webhook_url: str = var(
        "", "TELEGRAM_WEBHOOK_URL", "public https URL of /webhooks/telegram (webhook mode)"
    )
    webhook_secret: str = var(
        "",
        "TELEGRAM_WEBHOOK_SECRET",
        "X-Telegram-Bot-Api-Secret-Token expected on webhook calls (1-256 of A-Z a-z 0-9 _ -)",
    )
    api_base_url: str = var(
        "https://api.telegram.org/bot", "TELEGRAM_API_BASE_URL", "Bot API base (token appended)"
    )
    api_base_file_url: str = var(
        "https://api.telegram.org/file/bot", "TELEGRAM_API_BASE_FILE_URL", "Bot API file base"
    )

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> TelegramSettings:
        if self.enabled and self.mode == "webhook" and not self.webhook_secret:
            raise ValueError(
                "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET "
                "(1-256 chars of A-Z a-z 0-9 _ -)"
            )
        return self

    def __repr__(self) -> str:  # never print the token
        return f"TelegramSettings(mode={self.mode!r}, webhook_url={self.webhook_url!r})"

    __str__ = __repr__


_ZALO_REQUIRED = (
    "ZALO_APP_ID",
    "ZALO_APP_SECRET_KEY",
    "ZALO_OA_SECRET_KEY",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
)


class ZaloSettings(Group):
    app_id: str = var("", "ZALO_APP_ID", "Zalo app id (Zalo OA is enabled when all five are set)")
    app_secret_key: str = var("", "ZALO_APP_SECRET_KEY", "secret_key header of the OAuth refresh")
    oa_secret_key: str = var("", "ZALO_OA_SECRET_KEY", "verifies X-ZEvent-Signature")
    access_token: str = var("", "ZALO_ACCESS_TOKEN", "first OA access token")
    refresh_token: str = var("", "ZALO_REFRESH_TOKEN", "first OA refresh token (single use)")
    api_base: str = var("https://openapi.zalo.me", "ZALO_API_BASE", "OA API base URL")
    oauth_base: str = var("https://oauth.zaloapp.com", "ZALO_OAUTH_BASE", "OAuth base URL")
    reply_window_s: int = var(
        48 * 3600, "ZALO_REPLY_WINDOW_S", "replies allowed this long after a user message", ge=1
    )
    max_replies: int = var(8, "ZALO_MAX_REPLIES", "replies allowed per user message window", ge=1)
    max_event_age_s: int = var(
        3600,
        "ZALO_MAX_EVENT_AGE_S",
        "webhook events whose signed timestamp is further than this from now are refused",
        ge=1,
    )

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    @model_validator(mode="before")
    @classmethod
    def _all_or_nothing(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        present = [name for name in _ZALO_REQUIRED if str(data.get(name) or "").strip()]
        if present and len(present) < len(_ZALO_REQUIRED):
            missing = [name for name in _ZALO_REQUIRED if name not in present]
            raise ValueError(f"Zalo OA is partly configured; also set {', '.join(missing)}")
        return _no_trailing_slash(data, "ZALO_API_BASE", "ZALO_OAUTH_BASE")

    def __repr__(self) -> str:  # never print secrets
        return f"ZaloSettings(app_id={self.app_id!r}, api_base={self.api_base!r})"

    __str__ = __repr__
