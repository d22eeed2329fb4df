"""``faq export --xlsx`` → ``faq import --xlsx``: lossless; edits apply; bad sheets refused."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from editorial import SpreadsheetError, ValidationFailed, spreadsheet, validate_dir
from tests.retrieval.faq_samples import write_corpus
from tests.stack import REPO_ROOT


def _entries(folder: Path) -> dict:
    corpus = validate_dir(folder).corpus
    return {
        "domains": corpus.domains,
        "entries": {
            e.id: dataclasses.replace(e, location="", question_lines=()) for e in corpus.entries
        },
    }


def _texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yml"))}


def test_round_trip_of_the_shipped_corpus_is_lossless(tmp_path: Path) -> None:
    draft = tmp_path / "faq"
    shutil.copytree(REPO_ROOT / "data" / "faq", draft)
    book = tmp_path / "faq.xlsx"
    assert spreadsheet.export_xlsx(draft, book) == 8
    before = _texts(draft)
    assert spreadsheet.import_xlsx(draft, book) == []  # nothing differs: no file is touched
    assert _texts(draft) == before
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    spreadsheet.import_xlsx(fresh, book)
    assert _entries(fresh) == _entries(draft)


def test_edited_cells_change_only_those_fields_and_keep_comments(tmp_path: Path) -> None:
    draft = write_corpus(tmp_path / "faq")
    path = draft / "y_te.yml"
    text = path.read_text(encoding="utf-8").replace("Trẻ được tiêm", "=Trẻ được tiêm")
    path.write_text("# ghi chú giữ lại\n" + text, encoding="utf-8")  # "=…" must stay text
    book = tmp_path / "faq.xlsx"
    spreadsheet.export_xlsx(draft, book, domains=["y_te"])
    wb = load_workbook(book)
    sheet = wb["y_te"]
    assert sheet["A8"].value == "yte-bhyt-gia-han"
    sheet["B8"].value = sheet["B8"].value + "\nbhyt hộ gia đình gia hạn online được không"
    assert sheet["C9"].value.startswith("=Trẻ được tiêm")
    assert sheet["C9"].data_type == "s"
    sheet["C10"].value = "Đậy kín dụng cụ chứa nước và ngủ màn."
    wb.save(book)
    changes = spreadsheet.import_xlsx(draft, book)
    assert changes == ["y_te: yte-bhyt-gia-han: questions", "y_te: yte-sot-xuat-huyet: answer"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ghi chú giữ lại\n")
    entries = validate_dir(draft).corpus.by_id
    assert entries["yte-bhyt-gia-han"].questions[-1] == "bhyt hộ gia đình gia hạn online được không"
    assert entries["yte-tiem-chung-tre-em"].answer.startswith("=Trẻ được")
    assert entries["yte-sot-xuat-huyet"].answer == "Đậy kín dụng cụ chứa nước và ngủ màn."


def test_invalid_sheet_is_refused_with_its_row_and_nothing_written(tmp_path: Path) -> None:
    draft = write_corpus(tmp_path / "faq")
    book = tmp_path / "faq.xlsx"
    spreadsheet.export_xlsx(draft, book)
    wb = load_workbook(book)
    wb["hanh_chinh_cong"]["E9"].value = "mai"
    wb.save(book)
    before = _texts(draft)
    with pytest.raises(ValidationFailed) as refused:
        spreadsheet.import_xlsx(draft, book)
    assert any("hanh_chinh_cong!A9" in p and "YYYY-MM-DD" in p for p in refused.value.problems)
    assert _texts(draft) == before
    wb["hanh_chinh_cong"]["A7"].value = "mã"
    wb.save(book)
    with pytest.raises(SpreadsheetError, match="header row"):
        spreadsheet.import_xlsx(draft, book)
