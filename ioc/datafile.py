"""YAML loading that remembers line numbers, so data errors can say ``path:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ioc.errors import DataFileError
from vitext import nfc

__all__ = ["LINE_KEY", "line_of", "load_yaml"]

LINE_KEY = "__line__"


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that stores the 1-based line of every mapping under ``__line__``."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, dict):
        return {_normalise(k): _normalise(v) for k, v in value.items()}
    return value


def load_yaml(path: Path) -> Any:
    """Load ``path`` (NFC-normalised strings, ``__line__`` in every mapping)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read data file ({exc}); check the path") from exc
    try:
        return _normalise(yaml.load(text, Loader=_LineLoader))
    except yaml.YAMLError as exc:
        # context_mark points at the construct that is broken; problem_mark where parsing gave up
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise DataFileError(f"{path}:{line}: invalid YAML ({exc}); fix the syntax") from exc


def line_of(mapping: Any) -> int:
    """Line number recorded for ``mapping`` (0 when unknown)."""
    return int(mapping.get(LINE_KEY, 0)) if isinstance(mapping, dict) else 0
