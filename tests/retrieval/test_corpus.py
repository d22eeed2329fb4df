"""Corpus loader/validator: `path:line` errors, warnings, broken files refused, previous kept."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from retrieval.corpus import CorpusError, load_corpus, load_file
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus


def test_valid_corpus_loads_every_entry_with_header_defaults(tmp_path: Path) -> None:
    report = load_corpus(write_corpus(tmp_path))
    assert report.errors == ()
    corpus = report.corpus
    assert sorted(corpus.domains) == ["hanh_chinh_cong", "y_te"]
    assert len(corpus.entries) == 7
    entry = corpus.by_id["yte-bhyt-gia-han"]
    assert entry.audience == "citizen"  # inherited from the header
    assert entry.updated == date(2025, 6, 1)
    assert entry.questions[2] == "gia han the bhyt o dau"
    assert entry.location == f"{tmp_path / 'y_te.yml'}:8"
    assert corpus.by_id["yte-bao-cao-dich-noi-bo"].audience == "staff"


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


@pytest.mark.parametrize(
    ("old", "new", "line_of", "expected"),
    [
        (
            "    answer: |-\n      Thẻ BHYT hộ gia đình được gia hạn tại UBND cấp xã hoặc "
            "đại lý thu BHXH.\n",
            "",
            "  - id: yte-bhyt-gia-han",
            "has no 'answer'",
        ),
        (
            "    updated: 2025-06-01",
            "    updated: 2025-13-45",
            "    updated: 2025-13-45",
            "bad 'updated'",
        ),
        (
            "  - id: yte-tiem-chung-tre-em\n",
            "  - id: yte-tiem-chung-tre-em\n    audience: public\n",
            "    audience: public",
            "audience 'public'",
        ),
        ("  code: y_te", "  code: yte", "  code: yte", "differs from the file name"),
        (
            "      - gia han the bhyt o dau",
            "      - " + unicodedata.normalize("NFD", "gia hạn thẻ bhyt ở đâu"),
            "      - " + unicodedata.normalize("NFD", "gia hạn thẻ bhyt ở đâu"),
            "not NFC",
        ),
        (
            "  - id: yte-tiem-chung-tre-em",
            "  - id: yte-bhyt-gia-han",
            "  - id: yte-bhyt-gia-han",
            "duplicate id",
        ),
        (
            "  - id: yte-sot-xuat-huyet",
            "  - id: Sot_Xuat_Huyet",
            "  - id: Sot_Xuat_Huyet",
            "kebab-case",
        ),
    ],
    ids=[
        "missing-answer",
        "bad-date",
        "bad-audience",
        "code-vs-filename",
        "nfd-question",
        "duplicate-id",
        "bad-id",
    ],
)
def test_invalid_file_is_refused_with_path_and_line(
    tmp_path: Path, old: str, new: str, line_of: str, expected: str
) -> None:
    assert old in Y_TE
    text = Y_TE.replace(old, new, 1)
    path = tmp_path / "y_te.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_file(path)
    # duplicate ids: the second occurrence is the one reported
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line == line_of]
    wanted = f"{path}:{lines[-1]}:"
    assert any(p.startswith(wanted) and expected in p for p in info.value.problems), (
        info.value.problems
    )


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "y_te.yml"
    path.write_text(Y_TE.replace("    questions:\n", "    questions: [\n", 1), encoding="utf-8")
    with pytest.raises(CorpusError, match=rf"^{path}:\d+: YAML syntax error"):
        load_file(path)


def test_duplicate_id_across_files_refuses_the_later_file_and_names_both(tmp_path: Path) -> None:
    clash = HANH_CHINH.replace("  - id: hcc-ket-hon", "  - id: yte-bhyt-gia-han")
    write_corpus(tmp_path, {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": clash})
    report = load_corpus(tmp_path)
    # files load in name order: hanh_chinh_cong.yml first, so y_te.yml is the refused one
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.startswith(f"{tmp_path / 'y_te.yml'}:8:")
    assert f"{tmp_path / 'hanh_chinh_cong.yml'}:" in error
    assert set(report.corpus.domains) == {"hanh_chinh_cong"}


def test_near_duplicate_questions_across_entries_warn_with_both_locations(tmp_path: Path) -> None:
    dup = HANH_CHINH.replace(
        "      - dang ky ket hon o dau", "      - Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu"
    )
    write_corpus(tmp_path, {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": dup})
    report = load_corpus(tmp_path)
    assert report.errors == ()
    hcc_line = _line_of(dup, "      - Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu")
    yte_line = _line_of(Y_TE, "      - Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu?")
    [warning] = [w for w in report.warnings if "nearly duplicates" in w]
    assert f"hanh_chinh_cong.yml:{hcc_line}:" in warning
    assert f"y_te.yml:{yte_line}" in warning


def test_broken_file_keeps_its_previous_entries_and_others_reload(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    first = load_corpus(tmp_path).corpus
    (tmp_path / "y_te.yml").write_text(
        Y_TE.replace("updated: 2025-06-01", "updated: soon"), encoding="utf-8"
    )
    (tmp_path / "hanh_chinh_cong.yml").write_text(
        HANH_CHINH.replace("nộp tại UBND cấp xã.", "nộp trực tuyến hoặc tại UBND cấp xã."),
        encoding="utf-8",
    )
    report = load_corpus(tmp_path, previous=first)
    assert report.kept_previous == ("y_te.yml",)
    assert len(report.errors) == 1
    assert "bad 'updated'" in report.errors[0]
    assert report.corpus.by_id["yte-bhyt-gia-han"] == first.by_id["yte-bhyt-gia-han"]
    assert "trực tuyến" in report.corpus.by_id["hcc-khai-sinh"].answer
    # without a previous version the broken file is simply left out
    assert "y_te" not in load_corpus(tmp_path).corpus.domains


def test_content_hash_changes_only_with_the_phrasings(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    before = load_corpus(tmp_path).corpus.by_id
    text = Y_TE.replace("đại lý thu BHXH.", "đại lý thu BHXH, hoặc trực tuyến.")
    text = text.replace("con tôi cần tiêm những vắc xin gì", "bé nhà tôi cần tiêm vắc xin gì")
    (tmp_path / "y_te.yml").write_text(text, encoding="utf-8")
    after = load_corpus(tmp_path).corpus.by_id
    assert after["yte-bhyt-gia-han"].content_hash == before["yte-bhyt-gia-han"].content_hash
    assert (
        after["yte-tiem-chung-tre-em"].content_hash != before["yte-tiem-chung-tre-em"].content_hash
    )


def test_underscore_files_are_not_domains(tmp_path: Path) -> None:
    write_corpus(tmp_path, {"y_te.yml": Y_TE, "_notes.yml": "not: a domain\n"})
    report = load_corpus(tmp_path)
    assert report.errors == ()
    assert list(report.corpus.domains) == ["y_te"]


def test_shipped_corpus_files_have_no_errors() -> None:
    faq_dir = Path(__file__).resolve().parents[2] / "data" / "faq"
    report = load_corpus(faq_dir)
    assert report.errors == ()
    assert len(report.corpus.entries) >= 30


def test_same_file_in_another_folder_is_reported_at_its_own_path(tmp_path: Path) -> None:
    first = write_corpus(tmp_path / "v1")
    second = write_corpus(tmp_path / "v2")  # same names and texts: parsed once, then remembered
    a = load_corpus(first).corpus.by_id["yte-bhyt-gia-han"]
    b = load_corpus(second).corpus.by_id["yte-bhyt-gia-han"]
    assert a.location.startswith(f"{first / 'y_te.yml'}:")
    assert b.location == a.location.replace(str(first), str(second))
    assert load_corpus(second).corpus.files[0].path.parent == second
