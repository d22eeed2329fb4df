"""Settings of the ``ioc`` package, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ioc.errors import IndicatorError

__all__ = ["REPO_ROOT", "IocSettings"]

REPO_ROOT = Path(__file__).resolve().parent.parent


def _float(env: Mapping[str, str], name: str, default: float, errors: list[str]) -> float:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        errors.append(f"{name}={raw!r} is not a number")
        return default


@dataclass(frozen=True)
class IocSettings:
    source: str = "sqlite"  # sqlite | http
    db_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'ioc.sqlite3'}"
    api_url: str = ""
    api_token: str = ""
    api_timeout_s: float = 5.0
    api_retries: int = 3
    api_cache_ttl_s: float = 60.0
    charts_dir: Path = REPO_ROOT / "var" / "charts"
    public_url: str = "http://127.0.0.1:8080"
    data_dir: Path = REPO_ROOT / "data"
    simulator_interval_s: float = 60.0

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "ioc" / "catalog.yml"

    @property
    def areas_path(self) -> Path:
        return self.data_dir / "ioc" / "areas.yml"

    @property
    def seed_path(self) -> Path:
        return self.data_dir / "ioc" / "seed.yml"

    @property
    def messages_path(self) -> Path:
        return self.data_dir / "messages" / "indicators.yml"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> IocSettings:
        """Read ASSISTANT_IOC_* / ASSISTANT_CHARTS_DIR / ASSISTANT_PUBLIC_URL; list all errors."""
        env = os.environ if env is None else env
        errors: list[str] = []
        source = env.get("ASSISTANT_IOC_SOURCE", "sqlite") or "sqlite"
        if source not in ("sqlite", "http"):
            errors.append(f"ASSISTANT_IOC_SOURCE={source!r} must be 'sqlite' or 'http'")
        api_url = env.get("ASSISTANT_IOC_API_URL", "").rstrip("/")
        if source == "http" and not api_url:
            errors.append("ASSISTANT_IOC_API_URL is required when ASSISTANT_IOC_SOURCE=http")
        defaults = cls()
        settings = cls(
            source=source,
            db_url=env.get("ASSISTANT_IOC_DB_URL") or defaults.db_url,
            api_url=api_url,
            api_token=env.get("ASSISTANT_IOC_API_TOKEN", ""),
            api_timeout_s=_float(env, "ASSISTANT_IOC_API_TIMEOUT_S", 5.0, errors),
            api_retries=int(_float(env, "ASSISTANT_IOC_API_RETRIES", 3, errors)),
            api_cache_ttl_s=_float(env, "ASSISTANT_IOC_API_CACHE_TTL_S", 60.0, errors),
            charts_dir=Path(env.get("ASSISTANT_CHARTS_DIR") or defaults.charts_dir),
            public_url=(env.get("ASSISTANT_PUBLIC_URL") or defaults.public_url).rstrip("/"),
            data_dir=Path(env.get("ASSISTANT_DATA_DIR") or defaults.data_dir),
            simulator_interval_s=_float(env, "ASSISTANT_IOC_SIM_INTERVAL_S", 60.0, errors),
        )
        if errors:
            raise IndicatorError("invalid IOC settings: " + "; ".join(errors))
        return settings
