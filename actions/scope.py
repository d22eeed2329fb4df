"""Where a question is about: the province the assistant serves, or somewhere else.

A retrieval hit is evidence of topic, not of place: "điểm chuẩn lớp 10 ở Hà Nội" finds this
province's cut-off scores. When a question names a place outside the province and none inside,
``action_answer_faq`` declines instead (``data/lexicon/places.yml``).

The same file lists private providers (banks, e-wallets, shops, carriers, telecoms, social
networks, private insurers) and the public-service words that keep a question about one of them
in scope: "đơn Shopee chưa giao" is the shop's business, "nộp thuế qua app Vietcombank" is ours.

An outside name right after a word of the file's ``after`` list is not the place a question is
about: streets are named after other places ("đường Hạ Long" is in Vũng Tàu), and a person comes
from somewhere ("quê Thanh Hóa", "chuyển từ Nghệ An vào"). Phrases of the ``not_places`` list
are words that fold onto a place name ("đánh giá lại" is not Gia Lai) and are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from actions.lexicon_lists import read_lists
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
    services: tuple[str, ...] = ()  # private providers and their own business (đơn hàng…)
    public: tuple[str, ...] = ()  # words that make such a question a public-service one
    after: tuple[str, ...] = ()  # "đường", "quê": "đường Hạ Long" is a street, not the city
    not_places: tuple[str, ...] = ()  # "đánh giá lại" folds onto "gia lai"

    def outside_only(self, text: str) -> str | None:
        """The outside place ``text`` names when it names no inside place, else None."""
        words = _words(text)
        if any(f" {name} " in words for name in self.inside):
            return None
        for phrase in self.not_places:
            words = words.replace(f" {phrase} ", " ")
        for word in self.after:
            for name in self.outside:
                words = words.replace(f" {word} {name} ", f" {word} ")
        return next((name for name in self.outside if f" {name} " in words), None)

    def other_service(self, text: str) -> str | None:
        """The private provider ``text`` is about (None if a public-service word is in it)."""
        words = _words(text)
        if any(f" {word} " in words for word in self.public):
            return None
        return next((name for name in self.services if f" {name} " in words), None)


def load_place_scope(path: Path) -> PlaceScope:
    """Load ``places.yml``; raise MessagesError naming the file and the fix."""
    lists = read_lists(path, ("inside", "outside"), contents="place lists", item="place name")
    lists |= read_lists(
        path,
        ("services", "public", "after", "not_places"),
        contents="place lists",
        item="name",
        optional=True,
    )
    keys = ("inside", "outside", "services", "public", "after", "not_places")
    inside, outside, services, public, after, not_places = (
        tuple(dict.fromkeys(_words(n).strip() for n in lists[key])) for key in keys
    )
    return PlaceScope(inside, outside, services, public, after, not_places)
