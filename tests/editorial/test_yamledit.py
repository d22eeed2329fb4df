"""YAML edits of the draft keep comments and layout, and refuse what would break a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from editorial import DomainExists, EntryNotFound, ValidationFailed, validate_dir, yamledit
from tests.stack import REPO_ROOT


@pytest.mark.parametrize("path", sorted((REPO_ROOT / "data" / "faq").glob("*.yml")), ids=str)
def test_round_trip_of_a_shipped_file_changes_nothing(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert yamledit.dump_yaml(yamledit.load_yaml(path)) == text


def test_add_phrasings_keeps_comments_and_skips_known_ones(tmp_path: Path) -> None:
    from tests.retrieval.faq_samples import write_corpus

    draft = write_corpus(tmp_path / "faq")
    path = draft / "y_te.yml"
    path.write_text("# ghi chú của biên tập viên\n" + path.read_text(encoding="utf-8"))
    added = yamledit.add_phrasings(
        draft,
        "yte-sot-xuat-huyet",
        ["PHÒNG CHỐNG SỐT XUẤT HUYẾT TẠI NHÀ NHƯ THẾ NÀO?", "gia đình phòng muỗi ra sao"],
    )
    assert added == ["gia đình phòng muỗi ra sao"]  # the first one is there (other case)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ghi chú của biên tập viên\n")
    assert "      - gia đình phòng muỗi ra sao\n" in text
    entry = validate_dir(draft).corpus.by_id["yte-sot-xuat-huyet"]
    assert entry.questions[-1] == "gia đình phòng muỗi ra sao"


def test_edit_that_breaks_the_file_is_refused_and_file_kept(tmp_path: Path) -> None:
    from tests.retrieval.faq_samples import write_corpus

    draft = write_corpus(tmp_path / "faq")
    before = (draft / "y_te.yml").read_text(encoding="utf-8")
    with pytest.raises(ValidationFailed) as refused:
        yamledit.update_entry(draft, "yte-bhyt-gia-han", {"updated": "hôm qua"})
    assert f"{draft / 'y_te.yml'}:" in refused.value.problems[0]
    assert (draft / "y_te.yml").read_text(encoding="utf-8") == before
    with pytest.raises(ValidationFailed, match="already used"):
        yamledit.add_entry(
            draft,
            "hanh_chinh_cong",
            {"id": "yte-bhyt-gia-han", "questions": ["a b c"], "answer": "x", "source": "y"},
        )


def test_domain_new_scaffolds_a_commented_template(tmp_path: Path) -> None:
    path = yamledit.domain_new(tmp_path, "nong_nghiep", name="Nông nghiệp", agency="Sở NN&MT")
    text = path.read_text(encoding="utf-8")
    assert "code: nong_nghiep" in text
    assert "#  - id: nong-nghiep-vi-du" in text
    errors = validate_dir(tmp_path).errors
    assert errors  # publish waits for a first entry
    assert "non-empty list" in errors[0]
    with pytest.raises(DomainExists):
        yamledit.domain_new(tmp_path, "nong_nghiep", name="Nông nghiệp")
    yamledit.add_entry(
        tmp_path,
        "nong_nghiep",
        {
            "id": "nn-1",
            "questions": ["Hỏi một?", "hỏi hai", "hoi ba"],
            "answer": "Dòng một.\nDòng hai.",
            "source": "Sở",
        },
    )
    assert validate_dir(tmp_path).ok
    assert "#  - id: nong-nghiep-vi-du" in path.read_text(encoding="utf-8")


def test_update_and_remove_entry(tmp_path: Path) -> None:
    from tests.retrieval.faq_samples import write_corpus

    draft = write_corpus(tmp_path / "faq")
    yamledit.update_entry(draft, "hcc-khai-sinh", {"answer": "Mới.", "tags": ["ho-tich"]})
    entry = validate_dir(draft).corpus.by_id["hcc-khai-sinh"]
    assert (entry.answer, entry.tags) == ("Mới.", ("ho-tich",))
    yamledit.remove_entry(draft, "hcc-ket-hon")
    assert "hcc-ket-hon" not in validate_dir(draft).corpus.by_id
    with pytest.raises(EntryNotFound):
        yamledit.find_entry(draft, "hcc-ket-hon")
