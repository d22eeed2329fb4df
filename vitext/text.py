"""Unicode normalisation and Vietnamese diacritic folding."""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "has_diacritics", "nfc", "nfc_with_offsets"]

# đ/Đ is a separate letter, not a base letter plus a combining mark, so NFD keeps it.
_STROKE_D = str.maketrans({"đ": "d", "Đ": "D"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (the form used everywhere in this project)."""
    if unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Return ``text`` lower-cased with all diacritics removed (``Đường`` -> ``duong``)."""
    decomposed = unicodedata.normalize("NFD", nfc(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.translate(_STROKE_D)).lower()


def has_diacritics(text: str) -> bool:
    """Return True when ``text`` contains a letter with a diacritic or the letter đ/Đ."""
    if any(ch in "đĐ" for ch in text):
        return True
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed)


def nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """NFC-normalise ``text`` and map every output character back to ``text``.

    Returns ``(normalised, starts, ends)``: character ``i`` of ``normalised`` comes from
    ``text[starts[i]:ends[i]]``. Normalisation is done per base character plus its combining
    marks, so the mapping is exact even for NFD input.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, list(range(len(text))), list(range(1, len(text) + 1))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = unicodedata.normalize("NFC", text[i:j])
        parts.append(cluster)
        starts.extend([i] * len(cluster))
        ends.extend([j] * len(cluster))
        i = j
    return "".join(parts), starts, ends
