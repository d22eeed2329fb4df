"""Where a question is about: the province the assistant serves, or somewhere else.

A retrieval hit is evidence of topic, not of place: "điểm chuẩn lớp 10 ở Hà Nội" finds this
province's cut-off scores. When a question names a place outside the province and none inside,
``action_answer_faq`` declines instead (``data/lexicon/places.yml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from actions.errors import MessagesError
from vitext import fold, nfc

__all__ = ["PlaceScope", "load_place_scope"]

# words ("tp.hcm" is one) and punctuation, which separates names ("phù, thở" is not "Phú Thọ")
_TOKEN = re.compile(r"\w+(?:[.-]\w+)*|[^\w\s]")


def _words(text: str) -> str:
    return " " + " ".join(_TOKEN.findall(fold(nfc(text).lower()))) + " "


@dataclass(frozen=True)
class PlaceScope:
    """Folded place names inside and outside the province."""

    inside: tuple[str, ...]
    outside: tuple[str, ...]

    def outside_only(self, text: str) -> str | None:
        """The outside place ``text`` names when it names no inside place, else None."""
        words = _words(text)
        if any(f" {name} " in words for name in self.inside):
            return None
        return next((name for name in self.outside if f" {name} " in words), None)


def load_place_scope(path: Path) -> PlaceScope:
    """Load ``places.yml``; raise MessagesError naming the file and the fix."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MessagesError(f"{path}: cannot read the place lists ({exc})") from exc
    lists = {}
    for key in ("inside", "outside"):
        names = data.get(key) if isinstance(data, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise MessagesError(f"{path}: '{key}:' must be a list of place names")
        lists[key] = tuple(dict.fromkeys(_words(n).strip() for n in names))
    return PlaceScope(inside=lists["inside"], outside=lists["outside"])
