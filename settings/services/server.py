"""Processes of the services runtime: the action server and logging."""

from __future__ import annotations

from typing import Literal

from settings.defaults import LOG_LEVEL
from settings.services._base import Group, var

__all__ = ["ServerSettings"]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class ServerSettings(Group):
    log_level: LogLevel = var(
        LOG_LEVEL, "ASSISTANT_LOG_LEVEL", "log level (DEBUG shows user text, PII redacted)"
    )
    actions_host: str = var("127.0.0.1", "ASSISTANT_ACTIONS_HOST", "interface of the actions")
    actions_port: int = var(5055, "ASSISTANT_ACTIONS_PORT", "port of the action server", ge=1)
    actions_token: str = var(
        "",
        "ASSISTANT_ACTIONS_TOKEN",
        "shared token Rasa sends to the action server (endpoints.yml action_endpoint.token); "
        "the action server refuses calls without it and does not start when it is empty "
        "(make run generates one per run when unset)",
    )
