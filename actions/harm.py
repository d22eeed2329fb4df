"""Requests to do harm (forge, hack, poison, evade the police), declined before retrieval.

A retrieval hit is evidence of topic, not of purpose: "làm giả căn cước để vay tiền" finds the
identity-card procedure. When a question asks HOW to do something illicit or where to get it,
``action_answer_faq`` declines politely instead (``data/lexicon/harm.yml``). A victim asking
what to do ("bị làm giả chữ ký thì báo ai") is not a request to do harm: the patterns name the
asking, not the topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from re import Pattern

from actions.errors import MessagesError
from actions.lexicon_lists import read_lists
from vitext import fold, has_diacritics, nfc

__all__ = ["HarmfulRequests", "load_harmful_requests", "load_personal_requests"]

_GAP = r"(?: \S+){0,4} "


def _words(text: str) -> str:
    return " ".join(nfc(text).lower().split())


@dataclass(frozen=True)
class _Patterns:
    """One list twice: as written (accented input) and folded (input without diacritics)."""

    accented: Pattern[str]
    folded: Pattern[str]

    def search(self, words: str) -> re.Match[str] | None:
        # "giả" (forged) and "giá" (price) fold alike: accented input keeps the difference
        if has_diacritics(words):
            return self.accented.search(words)
        return self.folded.search(fold(words))


@dataclass(frozen=True)
class HarmfulRequests:
    """Compiled patterns; ``matched`` returns None for ordinary questions."""

    asks: _Patterns | None
    excuses: _Patterns | None

    def matched(self, text: str) -> str | None:
        """The words that make ``text`` a request to do harm, else None."""
        words = _words(text)
        if self.asks is None or (m := self.asks.search(words)) is None:
            return None
        if self.excuses is not None and self.excuses.search(words):
            return None
        return m.group(0)


def _join(parts: list[str]) -> Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)")


def _compile(patterns: list[str], path: Path, key: str) -> _Patterns | None:
    if not patterns:
        return None
    parts = []
    for pattern in patterns:
        letters = re.sub(r"\\.", "", pattern)  # escapes such as \S keep their case
        if nfc(pattern) != pattern or letters != letters.lower() or "  " in pattern:
            raise MessagesError(
                f"{path}: '{key}' pattern {pattern!r} must be NFC, lower case, single spaces; "
                f"write {nfc(pattern).lower()!r}"
            )
        regex = "(?:" + pattern.replace(" ~ ", _GAP) + ")"
        try:
            re.compile(regex)
        except re.error as exc:
            raise MessagesError(f"{path}: '{key}' pattern {pattern!r} is invalid: {exc}") from exc
        parts.append(regex)
    return _Patterns(accented=_join(parts), folded=_join([_fold_pattern(p) for p in parts]))


def _fold_pattern(pattern: str) -> str:
    # fold() lower-cases too; escapes (\S) must keep their case
    return "".join(
        part if part.startswith("\\") else fold(part) for part in re.split(r"(\\.)", pattern)
    )


def load_harmful_requests(path: Path) -> HarmfulRequests:
    """Load ``harm.yml``; raise MessagesError naming the file and the fix."""
    return _load(path, "harmful-request patterns")


def load_personal_requests(path: Path) -> HarmfulRequests:
    """Load ``personal.yml`` (requests for a personal decision: same format as ``harm.yml``)."""
    return _load(path, "personal-request patterns")


def _load(path: Path, contents: str) -> HarmfulRequests:
    lists = read_lists(path, ("asks", "excuses"), contents=contents, item="pattern", optional=True)
    return HarmfulRequests(
        asks=_compile(lists["asks"], path, "asks"),
        excuses=_compile(lists["excuses"], path, "excuses"),
    )
