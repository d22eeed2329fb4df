"""Channel settings, read once from the environment (`ChannelSettings.from_env()`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from channels.errors import SettingsError

__all__ = ["ChannelSettings", "TelegramSettings", "ZaloSettings"]

_ZALO_REQUIRED = (
    "ZALO_APP_ID",
    "ZALO_APP_SECRET_KEY",
    "ZALO_OA_SECRET_KEY",
    "ZALO_ACCESS_TOKEN",
    "ZALO_REFRESH_TOKEN",
)


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: str
    mode: str  # "polling" (default) or "webhook"
    webhook_url: str  # public https URL of /webhooks/telegram, webhook mode only
    webhook_secret: str  # X-Telegram-Bot-Api-Secret-Token expected on webhook calls
    api_base_url: str  # e.g. https://api.telegram.org/bot (token is appended)
    api_base_file_url: str

    def __repr__(self) -> str:  # never print the token
        return f"TelegramSettings(mode={self.mode!r}, webhook_url={self.webhook_url!r})"


@dataclass(frozen=True)
class ZaloSettings:
    app_id: str
    app_secret_key: str  # header secret_key of the OAuth refresh call
    oa_secret_key: str  # used to verify X-ZEvent-Signature
    access_token: str
    refresh_token: str
    api_base: str  # https://openapi.zalo.me
    oauth_base: str  # https://oauth.zaloapp.com
    reply_window_s: int  # replies allowed this long after the user's last message
    max_replies: int  # replies allowed per user message window

    def __repr__(self) -> str:  # never print secrets
        return f"ZaloSettings(app_id={self.app_id!r}, api_base={self.api_base!r})"


@dataclass(frozen=True)
class ChannelSettings:
    rasa_url: str
    rasa_timeout_s: float
    web_host: str
    web_port: int
    public_url: str
    socket_url: str  # Rasa socket.io URL the demo page's widget connects to
    charts_dir: Path
    var_dir: Path
    rate_limit_per_min: int
    max_message_chars: int
    telegram: TelegramSettings | None
    zalo: ZaloSettings | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ChannelSettings:
        """Read every setting; all problems are reported in one `SettingsError`."""
        env = os.environ if env is None else env
        problems: list[str] = []

        def get(name: str, default: str) -> str:
            return env.get(name, "").strip() or default

        def number(name: str, default: int, *, minimum: int = 1) -> int:
            raw = get(name, str(default))
            try:
                value = int(raw)
            except ValueError:
                problems.append(f"{name}={raw!r} is not an integer; set e.g. {name}={default}")
                return default
            if value < minimum:
                problems.append(f"{name}={value} must be >= {minimum}")
            return value

        rasa_url = get("ASSISTANT_RASA_URL", "http://127.0.0.1:5005").rstrip("/")
        port = number("ASSISTANT_WEB_PORT", 8080)
        host = get("ASSISTANT_WEB_HOST", "127.0.0.1")
        try:
            timeout_s = float(get("ASSISTANT_RASA_TIMEOUT_S", "30"))
        except ValueError:
            problems.append("ASSISTANT_RASA_TIMEOUT_S must be a number of seconds, e.g. 30")
            timeout_s = 30.0
        var_dir = Path(get("ASSISTANT_VAR_DIR", "var"))
        settings = cls(
            rasa_url=rasa_url,
            rasa_timeout_s=timeout_s,
            web_host=host,
            web_port=port,
            public_url=get("ASSISTANT_PUBLIC_URL", f"http://{host}:{port}").rstrip("/"),
            socket_url=get("ASSISTANT_SOCKET_URL", rasa_url).rstrip("/"),
            charts_dir=Path(get("ASSISTANT_CHARTS_DIR", str(var_dir / "charts"))),
            var_dir=var_dir,
            rate_limit_per_min=number("ASSISTANT_RATE_LIMIT_PER_MIN", 20),
            max_message_chars=number("ASSISTANT_MAX_MESSAGE_CHARS", 1000),
            telegram=_telegram(get, problems),
            zalo=_zalo(env, get, number, problems),
        )
        if problems:
            raise SettingsError("invalid channel settings:\n  " + "\n  ".join(problems))
        return settings


def _telegram(get, problems: list[str]) -> TelegramSettings | None:  # type: ignore[no-untyped-def]
    token = get("TELEGRAM_BOT_TOKEN", "")
    if not token:
        return None
    mode = get("TELEGRAM_MODE", "polling")
    if mode not in ("polling", "webhook"):
        problems.append(f"TELEGRAM_MODE={mode!r} must be 'polling' or 'webhook'")
    secret = get("TELEGRAM_WEBHOOK_SECRET", "")
    if mode == "webhook" and not secret:
        problems.append(
            "TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_SECRET (1-256 chars of A-Z a-z 0-9 _ -)"
        )
    return TelegramSettings(
        bot_token=token,
        mode=mode,
        webhook_url=get("TELEGRAM_WEBHOOK_URL", ""),
        webhook_secret=secret,
        api_base_url=get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot"),
        api_base_file_url=get("TELEGRAM_API_BASE_FILE_URL", "https://api.telegram.org/file/bot"),
    )


def _zalo(env, get, number, problems: list[str]) -> ZaloSettings | None:  # type: ignore[no-untyped-def]
    present = [name for name in _ZALO_REQUIRED if env.get(name, "").strip()]
    if not present:
        return None
    missing = [name for name in _ZALO_REQUIRED if name not in present]
    if missing:
        problems.append(f"Zalo OA is partly configured; also set {', '.join(missing)}")
        return None
    return ZaloSettings(
        app_id=get("ZALO_APP_ID", ""),
        app_secret_key=get("ZALO_APP_SECRET_KEY", ""),
        oa_secret_key=get("ZALO_OA_SECRET_KEY", ""),
        access_token=get("ZALO_ACCESS_TOKEN", ""),
        refresh_token=get("ZALO_REFRESH_TOKEN", ""),
        api_base=get("ZALO_API_BASE", "https://openapi.zalo.me").rstrip("/"),
        oauth_base=get("ZALO_OAUTH_BASE", "https://oauth.zaloapp.com").rstrip("/"),
        reply_window_s=number("ZALO_REPLY_WINDOW_S", 48 * 3600),
        max_replies=number("ZALO_MAX_REPLIES", 8),
    )
