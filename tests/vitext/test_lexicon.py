"""Tests for the abbreviation table (data/lexicon/abbreviations.yml) and its expansion."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from settings.defaults import DATA_DIR, REPO_ROOT
from vitext import (
    DEFAULT_ABBREVIATIONS_PATH,
    LexiconError,
    VitextError,
    expand_abbreviations,
    load_abbreviations,
)


@pytest.fixture(scope="module")
def table() -> dict[str, str]:
    return load_abbreviations()


def test_paths_point_into_the_repository() -> None:
    assert (REPO_ROOT / "vitext" / "__init__.py").is_file()
    assert DATA_DIR == REPO_ROOT / "data"
    assert DEFAULT_ABBREVIATIONS_PATH.is_file()


def test_shipped_table_is_large_nfc_and_lowercase(table: dict[str, str]) -> None:
    assert len(table) >= 60
    for key, value in table.items():
        assert key == key.lower()
        assert unicodedata.is_normalized("NFC", key)
        assert unicodedata.is_normalized("NFC", value)


@pytest.mark.parametrize(
    ("key", "expansion"),
    [
        ("bhyt", "bảo hiểm y tế"),
        ("cccd", "căn cước công dân"),
        ("ko", "không"),
        ("k", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("sdt", "số điện thoại"),
        ("tthc", "thủ tục hành chính"),
        ("ubnd", "ủy ban nhân dân"),
        ("qsdđ", "quyền sử dụng đất"),
        ("brvt", "Bà Rịa \u2013 Vũng Tàu"),
        ("ntn", "như thế nào"),
    ],
)
def test_shipped_table_contains(table: dict[str, str], key: str, expansion: str) -> None:
    assert table[key] == expansion


@pytest.mark.parametrize("ambiguous", ["t", "hs", "bn", "dt", "kg"])
def test_ambiguous_abbreviations_are_not_listed(table: dict[str, str], ambiguous: str) -> None:
    assert ambiguous not in table


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Làm CCCD ở UBND tp", "Làm căn cước công dân ở ủy ban nhân dân thành phố"),
        ("ko dc thì sao", "không được thì sao"),
        ("thẻ bhyt, bhxh.", "thẻ bảo hiểm y tế, bảo hiểm xã hội."),
        ("giá 50 k", "giá 50 k"),
        ("xem www.bhyt.gov.vn", "xem www.bhyt.gov.vn"),
        ("bhyt2024 kok", "bhyt2024 kok"),
        ("", ""),
    ],
)
def test_expand_abbreviations_whole_words_only(
    table: dict[str, str], text: str, expected: str
) -> None:
    assert expand_abbreviations(text, table) == expected


PHRASES = {
    "được hông": "được không",
    "hông": "không",
    "id card": "thẻ căn cước",
    "k": "không",
    "ko": "không",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the longest key wins: the phrase, not its first word
        ("làm được hông ad", "làm được không ad"),
        ("Được Hông?", "được không?"),
        ("làm ID card mất bao lâu", "làm thẻ căn cước mất bao lâu"),
        # punctuation between the words breaks a phrase
        ("được, hông", "được, không"),
        # a phrase's first word alone is not a key
        ("id của tôi", "id của tôi"),
        ("50 k được hông", "50 k được không"),
    ],
)
def test_phrase_keys_expand_longest_first(text: str, expected: str) -> None:
    assert expand_abbreviations(text, PHRASES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cho e hỏi làm ID card ở đâu z", "cho em hỏi làm thẻ căn cước ở đâu vậy"),
        ("tui muốn check hồ sơ", "tôi muốn kiểm tra hồ sơ"),
        ("làm vậy được hông", "làm vậy được không"),
        ("đau hông bên phải", "đau hông bên phải"),
    ],
)
def test_shipped_regional_english_and_phrase_entries(
    table: dict[str, str], text: str, expected: str
) -> None:
    assert expand_abbreviations(text, table) == expected


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "abbreviations.yml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("abbreviations:\n  ko: không\n  ko: khong\n", 3, "duplicate abbreviation 'ko'"),
        ("abbreviations:\n  ko: " + unicodedata.normalize("NFD", "không") + "\n", 2, "not NFC"),
        ("abbreviations:\n  Ko: không\n", 2, "lower-case word"),
        ("abbreviations:\n  so  dt: số điện thoại\n", 2, "separated by single spaces"),
        ("abbreviations:\n  số-đt: số điện thoại\n", 2, "lower-case words"),
        ("abbreviations:\n  id card2: thẻ căn cước\n", 2, "without digits"),
        ("abbreviations:\n  a b c d e: năm chữ\n", 2, "more than 4 words"),
        ("abbreviations:\n  ko: ''\n", 2, "is empty"),
        ("abbreviations:\n  ko: [không]\n", 2, "text value"),
        ("abbreviations:\n  ko: ko\n", 2, "expands to itself"),
        ("abbreviations:\n  - ko\n", 2, "must be a mapping"),
    ],
)
def test_bad_entries_raise_with_path_and_line(
    tmp_path: Path, body: str, line: int, fragment: str
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(LexiconError) as info:
        load_abbreviations(path)
    assert f"{path}:{line}:" in str(info.value)
    assert fragment in str(info.value)


def test_missing_file_raises_vitext_error(tmp_path: Path) -> None:
    with pytest.raises(VitextError, match="cannot read"):
        load_abbreviations(tmp_path / "nope.yml")


def test_custom_table_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 1\nabbreviations:\n  ubnd: ủy ban nhân dân\n")
    assert load_abbreviations(str(path)) == {"ubnd": "ủy ban nhân dân"}
