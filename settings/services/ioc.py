"""Live IOC indicators: where the numbers come from."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from settings.services._base import Group, var

__all__ = ["IocSettings"]


class IocSettings(Group):
    source: Literal["sqlite", "http"] = var(
        "sqlite",
        "ASSISTANT_IOC_SOURCE",
        "sqlite (embedded demo data, or any SQL URL) or http (a real IOC REST API, "
        "docs/ioc-api.md)",
    )
    api_url: str = var("", "ASSISTANT_IOC_API_URL", "base URL of the IOC REST API (source=http)")
    api_token: str = var("", "ASSISTANT_IOC_API_TOKEN", "bearer token for the IOC REST API")
    api_timeout_s: float = var(5.0, "ASSISTANT_IOC_API_TIMEOUT_S", "per request timeout", gt=0)
    api_retries: int = var(3, "ASSISTANT_IOC_API_RETRIES", "retries of a failed request", ge=0)
    api_cache_ttl_s: float = var(
        60.0, "ASSISTANT_IOC_API_CACHE_TTL_S", "how long an IOC API answer is reused", ge=0
    )
    simulator_interval_s: float = var(
        60.0,
        "ASSISTANT_IOC_SIM_INTERVAL_S",
        "seconds between two updates of the demo data simulator (make run)",
        gt=0,
    )

    @model_validator(mode="after")
    def _http_needs_url(self) -> IocSettings:
        if self.source == "http" and not self.api_url:
            raise ValueError(
                "ASSISTANT_IOC_SOURCE=http needs ASSISTANT_IOC_API_URL (the IOC API base URL)"
            )
        return self

    @model_validator(mode="before")
    @classmethod
    def _strip_url(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("ASSISTANT_IOC_API_URL"):
            data = {**data, "ASSISTANT_IOC_API_URL": str(data["ASSISTANT_IOC_API_URL"]).rstrip("/")}
        return data
