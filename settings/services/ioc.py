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
    api_cache_max: int = var(
        1024, "ASSISTANT_IOC_API_CACHE_MAX", "IOC API answers kept (least recently used out)", ge=1
    )
    turn_deadline_s: float = var(
        3.0,
        "ASSISTANT_IOC_TURN_DEADLINE_S",
        "an indicator turn waits this long for the source, then answers with the last good value",
        gt=0,
    )
    workers: int = var(
        4,
        "ASSISTANT_IOC_WORKERS",
        "indicator turns served at once, in a pool apart from FAQ turns (and as many source calls)",
        ge=1,
    )
    breaker_failures: int = var(
        3,
        "ASSISTANT_IOC_BREAKER_FAILURES",
        "failed or timed-out source calls in a row that open the circuit (source skipped)",
        ge=1,
    )
    breaker_cooldown_s: float = var(
        30.0,
        "ASSISTANT_IOC_BREAKER_COOLDOWN_S",
        "how long an open circuit skips the source before one probe call",
        gt=0,
    )
    last_good_max: int = var(
        2000,
        "ASSISTANT_IOC_LAST_GOOD_MAX",
        "answers kept per indicator, area and period to answer with while the source is down",
        ge=1,
    )
    last_good_max_age_s: float = var(
        259_200.0,
        "ASSISTANT_IOC_LAST_GOOD_MAX_AGE_S",
        "oldest last good answer still shown (flagged stale) while the source is down",
        gt=0,
    )
    charts_max_files: int = var(
        5000, "ASSISTANT_CHARTS_MAX_FILES", "chart PNGs kept (least recently used removed)", ge=1
    )
    charts_max_age_s: float = var(
        604_800.0,
        "ASSISTANT_CHARTS_MAX_AGE_S",
        "chart PNGs unused for this long are removed (links in old conversations then 404)",
        gt=0,
    )
    chart_url_secret: str = var(
        "",
        "ASSISTANT_CHART_URL_SECRET",
        "signs links to charts of staff-only indicators (action server and web app share it); "
        "empty: staff answers carry no chart (make run generates one per run when unset)",
    )
    chart_url_ttl_s: int = var(
        3600, "ASSISTANT_CHART_URL_TTL_S", "how long a staff chart link works, seconds", gt=0
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
