"""YAML data files with line numbers (errors say ``path:line``) and checks of text templates."""

from __future__ import annotations

import string
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from ioc.errors import DataFileError
from vitext import nfc

__all__ = ["LINE_KEY", "key_lines", "line_of", "load_yaml", "template_problem"]

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


def key_lines(path: Path) -> dict[tuple[str, ...], int]:
    """1-based line of every mapping key in ``path``, by key path: ``("period_labels", "day")``."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return {}  # load_yaml reports these with their line
    lines: dict[tuple[str, ...], int] = {}
    pending: list[tuple[tuple[str, ...], yaml.Node | None]] = [((), root)]
    while pending:
        prefix, node = pending.pop()
        if not isinstance(node, yaml.MappingNode):
            continue
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines[(*prefix, key.value)] = key.start_mark.line + 1
                pending.append(((*prefix, key.value), value))
    return lines


def template_problem(text: Any, values: Mapping[str, Any], required: Collection[str]) -> str | None:
    """Why ``text`` cannot be a ``str.format`` template filled with ``values`` (None: it can).

    Every placeholder must be one of ``values`` (a value of the type the code passes), every name
    in ``required`` must be used, and formatting with ``values`` must work.
    """
    if not isinstance(text, str) or not text.strip():
        return "must be a non-empty text"
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        return f"has unbalanced braces ({exc}); write {{{{ or }}}} for a literal brace"
    names = {field.split(".")[0].split("[")[0] for field in fields}
    unknown = sorted(names - values.keys())
    if unknown:
        choices = ", ".join(f"{{{name}}}" for name in sorted(values)) or "none"
        return f"uses {{{unknown[0]}}}, which the code does not fill; placeholders: {choices}"
    missing = sorted(set(required) - names)
    if missing:
        return f"lacks {{{missing[0]}}}; keep every placeholder of the original text"
    try:
        text.format(**values)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        return f"cannot be filled ({exc}); check the format after ':' in its placeholders"
    return None
