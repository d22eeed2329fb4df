"""Everything an editor may change under data/ is UTF-8 and NFC (NFD breaks the featurizers)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
TEXT_SUFFIXES = {".yml", ".yaml", ".json", ".md", ".txt", ".csv"}
FILES = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES)


def test_data_has_files_to_check() -> None:
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_data_file_is_utf8_and_nfc(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    bad = [
        f"{path.relative_to(DATA.parent)}:{number}"
        for number, line in enumerate(text.splitlines(), start=1)
        if not unicodedata.is_normalized("NFC", line)
    ]
    assert not bad, f"not NFC (run unicodedata.normalize('NFC', …)): {bad[:5]}"
