"""Where things are: data the editors change, generated state, caches, databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import field_validator, model_validator

from settings.defaults import CACHE_DIR, DATA_DIR, REPO_ROOT, VAR_DIR, resolve_path
from settings.services._base import Group, base_dirs, var

__all__ = ["PathSettings"]

_DERIVED = {  # variable -> default inside the data dir (d) or var dir (v)
    "ASSISTANT_FAQ_DIR": ("d", "faq"),
    "ASSISTANT_FAQ_INDEX_DIR": ("v", "faq_index"),
    "ASSISTANT_FAQ_LIVE_DIR": ("v", "faq_live"),
    "ASSISTANT_CHARTS_DIR": ("v", "charts"),
}


class PathSettings(Group):
    data_dir: Path = var(
        DATA_DIR, "ASSISTANT_DATA_DIR", "data the editors change: FAQ, IOC catalog, messages"
    )
    var_dir: Path = var(
        VAR_DIR, "ASSISTANT_VAR_DIR", "generated state: indexes, databases, charts, tokens"
    )
    cache_dir: Path = var(
        CACHE_DIR, "TROLYAO_CACHE", "venvs, converted e5 model, trained Rasa models"
    )
    faq_dir: Path = var(
        DATA_DIR / "faq",
        "ASSISTANT_FAQ_DIR",
        "FAQ draft the editors change, one file per domain (served as it is only with "
        "ASSISTANT_FAQ_SERVE=draft)",
    )
    faq_index_dir: Path = var(
        VAR_DIR / "faq_index", "ASSISTANT_FAQ_INDEX_DIR", "saved FAISS index and its manifest"
    )
    faq_live_dir: Path = var(
        VAR_DIR / "faq_live",
        "ASSISTANT_FAQ_LIVE_DIR",
        "published FAQ versions unpacked for the action server (one folder per version)",
    )
    faq_thresholds: Path = var(
        REPO_ROOT / "retrieval" / "thresholds.yml",
        "ASSISTANT_FAQ_THRESHOLDS",
        "calibrated answer/suggest/decline thresholds",
    )
    charts_dir: Path = var(
        VAR_DIR / "charts",
        "ASSISTANT_CHARTS_DIR",
        "chart PNGs (written by the action server, served by the web app at /charts/)",
    )
    ioc_db_url: str = var(
        f"sqlite:///{VAR_DIR / 'ioc.sqlite3'}",
        "ASSISTANT_IOC_DB_URL",
        "SQLAlchemy URL of the IOC indicator store (PostgreSQL works by URL too)",
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_inside_dirs(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data_dir, var_dir = base_dirs(data)
        derived = dict(data)
        for name, (base, sub) in _DERIVED.items():
            if not derived.get(name):
                derived[name] = (data_dir if base == "d" else var_dir) / sub
        if not derived.get("ASSISTANT_IOC_DB_URL"):
            derived["ASSISTANT_IOC_DB_URL"] = f"sqlite:///{var_dir / 'ioc.sqlite3'}"
        return derived

    @field_validator(
        "data_dir",
        "var_dir",
        "cache_dir",
        "faq_dir",
        "faq_index_dir",
        "faq_live_dir",
        "faq_thresholds",
        "charts_dir",
        mode="after",
    )
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return resolve_path(value)

    @property
    def models_dir(self) -> Path:
        """Converted and adapted sentence-transformers models."""
        return self.cache_dir / "models"

    @property
    def messages_dir(self) -> Path:
        """User-facing texts (``data/messages``)."""
        return self.data_dir / "messages"

    @property
    def abbreviations_path(self) -> Path:
        return self.data_dir / "lexicon" / "abbreviations.yml"

    @property
    def places_path(self) -> Path:
        """Place names inside / outside the province (scope check of FAQ answers)."""
        return self.data_dir / "lexicon" / "places.yml"

    @property
    def harm_path(self) -> Path:
        """Patterns of requests to do harm (declined before FAQ retrieval)."""
        return self.data_dir / "lexicon" / "harm.yml"

    @property
    def personal_path(self) -> Path:
        """Patterns of requests for a personal decision (declined before FAQ retrieval)."""
        return self.data_dir / "lexicon" / "personal.yml"

    @property
    def ioc_catalog(self) -> Path:
        return self.data_dir / "ioc" / "catalog.yml"

    @property
    def ioc_areas(self) -> Path:
        return self.data_dir / "ioc" / "areas.yml"

    @property
    def ioc_seed(self) -> Path:
        """Parameters of the demo series (tools.iocdemo)."""
        return self.data_dir / "ioc" / "seed.yml"
