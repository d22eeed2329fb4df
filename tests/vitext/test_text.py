"""Tests for vitext.text: NFC, folding, diacritic detection, offset mapping."""

from __future__ import annotations

import unicodedata

import pytest

from settings.defaults import REPO_ROOT
from vitext import fold, has_diacritics, nfc, nfc_with_offsets


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đường Lê Lợi", "duong le loi"),
        ("BẢO HIỂM Y TẾ", "bao hiem y te"),
        ("hoà bình, thuỷ lợi", "hoa binh, thuy loi"),
        ("Cứu với!!!", "cuu voi!!!"),
        (unicodedata.normalize("NFD", "Tiếng Việt"), "tieng viet"),
        ("khong dau", "khong dau"),
        ("😀 2024", "😀 2024"),
        ("", ""),
    ],
)
def test_fold_removes_diacritics_and_lowercases(text: str, expected: str) -> None:
    assert fold(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tiếng việt", True),
        ("đi", True),
        ("Đ", True),
        (unicodedata.normalize("NFD", "ố"), True),
        ("tieng viet", False),
        ("CCCD 079123", False),
        ("", False),
    ],
)
def test_has_diacritics(text: str, expected: bool) -> None:
    assert has_diacritics(text) is expected


def test_nfc_composes_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "Hồ sơ")
    assert len(nfd) > len("Hồ sơ")
    assert nfc(nfd) == "Hồ sơ"
    assert unicodedata.is_normalized("NFC", nfc(nfd))


@pytest.mark.parametrize(
    "original",
    ["Hồ sơ cấp CCCD", unicodedata.normalize("NFD", "Hồ sơ cấp CCCD"), "abc", ""],
)
def test_nfc_with_offsets_maps_every_character_back(original: str) -> None:
    normalised, starts, ends = nfc_with_offsets(original)
    assert normalised == nfc(original)
    assert len(starts) == len(ends) == len(normalised)
    for i, ch in enumerate(normalised):
        assert nfc(original[starts[i] : ends[i]]) == ch


def test_nfc_with_offsets_spans_cover_nfd_clusters() -> None:
    original = unicodedata.normalize("NFD", "Hồ sơ")  # H o ̂ ̀ _ s o ̛
    normalised, starts, ends = nfc_with_offsets(original)
    assert normalised == "Hồ sơ"
    assert (starts[1], ends[1]) == (1, 4)
    assert (starts[4], ends[4]) == (6, 8)


def test_import_is_dependency_free() -> None:
    """Importing vitext must not pull third-party modules (both runtimes import it)."""
    import subprocess
    import sys

    code = (
        "import sys, vitext; "
        "mods = {m.split('.')[0] for m in sys.modules}; "
        "print(sorted(mods & {'yaml', 'rasa', 'underthesea', 'numpy', 'torch'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(REPO_ROOT),
    )
    assert result.stdout.strip() == "[]"
