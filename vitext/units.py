"""Split text into units: words (syllables), numbers, URLs, e-mails, emoji, punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Unit", "UnitKind", "split_units"]

UnitKind = Literal["word", "alnum", "number", "url", "email", "emoji", "punct"]

_EMOJI_BASE = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff"
_URL_TRAILING = ".,;:!?)]}'\"\u00bb\u201d\u2019"

# Order matters: the first alternative that matches at a position wins.
_UNIT_RE = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<url>(?:https?://|www\.)\S+"
    r"|(?<![\w@.])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:vn|com|net|org|gov|edu|info|io)\b(?:/\S*)?)"
    r"|(?P<number>\d+(?:[.,:/]\d+)+[\w\u0300-\u036f]*)"
    r"|(?P<word>[\w\u0300-\u036f]+)"
    rf"|(?P<emoji>[{_EMOJI_BASE}](?:[\ufe0f\u20e3\U0001f3fb-\U0001f3ff]|\u200d[{_EMOJI_BASE}])*)"
    r"|(?P<punct>\S)"
)


@dataclass(frozen=True)
class Unit:
    """One unit of text; ``start``/``end`` index the string given to :func:`split_units`."""

    text: str
    start: int
    end: int
    kind: UnitKind


def _word_kind(text: str) -> UnitKind:
    if text[0].isdigit():
        return "number"
    if any(ch.isdigit() or ch == "_" for ch in text):
        return "alnum"
    return "word"


def split_units(text: str) -> list[Unit]:
    """Split ``text`` (NFC) into units; whitespace is dropped, everything else is kept."""
    units: list[Unit] = []
    for match in _UNIT_RE.finditer(text):
        kind = match.lastgroup
        start, end = match.span()
        if kind == "url":
            # A sentence-final "." or ")" belongs to the sentence, not to the URL.
            while end > start + 1 and text[end - 1] in _URL_TRAILING:
                end -= 1
            units.append(Unit(text[start:end], start, end, "url"))
            units.extend(_punct_units(text, end, match.end()))
            continue
        if kind == "word":
            units.append(Unit(match.group(), start, end, _word_kind(match.group())))
        else:
            units.append(Unit(match.group(), start, end, kind))  # type: ignore[arg-type]
    return units


def _punct_units(text: str, start: int, end: int) -> list[Unit]:
    """Units of ``text[start:end]`` with offsets into ``text`` (trailing URL punctuation)."""
    return [Unit(ch, start + i, start + i + 1, "punct") for i, ch in enumerate(text[start:end])]
