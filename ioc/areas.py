"""Administrative units loaded from ``data/ioc/areas.yml`` (province / district / commune)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ioc.datafile import line_of, load_yaml
from ioc.errors import DataFileError, IndicatorError

__all__ = ["LEVELS", "Area", "Areas", "load_areas"]

LEVELS = ("province", "district", "commune")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str
    parent: str | None
    aliases: tuple[str, ...]
    weight: float  # share used by the demo seed to split province totals

    def as_slot(self) -> dict[str, str]:
        """Area as the turn-contract slot value."""
        return {"code": self.code, "name": self.name, "level": self.level}


@dataclass(frozen=True)
class Areas:
    units: Mapping[str, Area]

    @property
    def root(self) -> Area:
        """The top unit (the province)."""
        return next(area for area in self.units.values() if area.parent is None)

    def get(self, code: str) -> Area:
        """Area by code; raise IndicatorError naming the valid codes."""
        try:
            return self.units[code]
        except KeyError:
            raise IndicatorError(
                f"unknown area code {code!r}; use one of {', '.join(sorted(self.units))}"
            ) from None

    def children(self, code: str) -> list[Area]:
        """Direct children of ``code``."""
        return [area for area in self.units.values() if area.parent == code]

    def __iter__(self) -> Iterator[Area]:
        return iter(self.units.values())


def _parse(path: Path, entry: Any) -> Area:
    if not isinstance(entry, dict) or not entry.get("code") or not entry.get("name"):
        raise DataFileError(f"{path}:{line_of(entry)}: each area needs 'code' and 'name'")
    if entry.get("level") not in LEVELS:
        raise DataFileError(
            f"{path}:{line_of(entry)}: area {entry['code']!r} level {entry.get('level')!r} "
            f"must be one of {LEVELS}"
        )
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        raise DataFileError(
            f"{path}:{line_of(entry)}: area {entry['code']!r}: aliases must be a list"
        )
    return Area(
        code=entry["code"],
        name=entry["name"],
        level=entry["level"],
        parent=entry.get("parent"),
        aliases=tuple(aliases),
        weight=float(entry.get("weight", 1.0)),
    )


def load_areas(path: Path) -> Areas:
    """Load and validate the units; exactly one root, parents must exist."""
    data = load_yaml(path)
    entries = data.get("areas") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DataFileError(f"{path}:1: expected a top-level 'areas:' list")
    units: dict[str, Area] = {}
    for entry in entries:
        area = _parse(path, entry)
        if area.code in units:
            raise DataFileError(f"{path}:{line_of(entry)}: duplicate area code {area.code!r}")
        if area.parent is not None and area.parent not in units:
            raise DataFileError(
                f"{path}:{line_of(entry)}: area {area.code!r} parent {area.parent!r} is not "
                "defined above it; list parents first"
            )
        units[area.code] = area
    roots = [a.code for a in units.values() if a.parent is None]
    if len(roots) != 1:
        raise DataFileError(f"{path}:1: expected exactly one root area, found {roots}")
    return Areas(units=units)
