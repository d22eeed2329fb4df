"""Editor-kept YAML files of named string lists (``data/lexicon/places.yml``, ``harm.yml``)."""

from __future__ import annotations

from pathlib import Path

import yaml

from actions.errors import MessagesError

__all__ = ["read_lists"]


def read_lists(
    path: Path, keys: tuple[str, ...], *, contents: str, item: str, optional: bool = False
) -> dict[str, list[str]]:
    """The lists of non-empty strings under ``keys`` (absent = empty when ``optional``).

    Raises MessagesError naming the file and the fix ("cannot read the {contents}", "'key:' must
    be a list of {item}s").
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MessagesError(f"{path}: cannot read the {contents} ({exc})") from exc
    lists: dict[str, list[str]] = {}
    for key in keys:
        items = data.get(key, [] if optional else None) if isinstance(data, dict) else None
        if not isinstance(items, list) or not all(isinstance(s, str) and s for s in items):
            raise MessagesError(f"{path}: '{key}:' must be a list of {item}s")
        lists[key] = items
    return lists
