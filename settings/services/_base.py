"""Building blocks of the services settings: a settings group and how a variable is declared."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from settings.defaults import DATA_DIR, VAR_DIR, resolve_path

__all__ = ["Group", "base_dirs", "var"]


class Group(BaseModel):
    """A group of settings validated from the flat environment (field aliases = variable names)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


def var(default: Any, env: str, doc: str, **constraints: Any) -> Any:
    """Declare a setting: its variable name, its one default and what it means (.env.example)."""
    return Field(default, validation_alias=env, description=doc, **constraints)


def base_dirs(env: Mapping[str, Any]) -> tuple[Path, Path]:
    """(data dir, var dir) as the environment sets them: other locations default inside them."""
    data_dir = resolve_path(env.get("ASSISTANT_DATA_DIR") or DATA_DIR)
    var_dir = resolve_path(env.get("ASSISTANT_VAR_DIR") or VAR_DIR)
    return data_dir, var_dir
