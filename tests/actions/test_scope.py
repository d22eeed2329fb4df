"""Questions about another province are recognised by the place lists (data/lexicon/places.yml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.errors import MessagesError
from actions.scope import load_place_scope

PLACES = load_place_scope(Path(__file__).resolve().parents[2] / "data" / "lexicon" / "places.yml")


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("lịch nghỉ hè của học sinh Cần Thơ", "can tho"),
        ("thu tuc cap so do o quang ninh", "quang ninh"),
        ("Ở Biên Hòa làm căn cước chỗ nào.", "bien hoa"),
    ],
)
def test_question_about_another_province_is_recognised(text: str, place: str) -> None:
    assert PLACES.outside_only(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "làm căn cước ở Vũng Tàu",
        "xe khách từ Bà Rịa đi Đà Lạt mấy giờ",  # an inside place: the question is ours
        "đăng ký kết hôn với người Hàn Quốc",  # countries are not other provinces
        "con tôi thở rít, môi sưng phù, thở không nổi",  # punctuation separates names
        "vinh danh học sinh giỏi",
        "",
    ],
)
def test_questions_about_the_province_are_left_alone(text: str) -> None:
    assert PLACES.outside_only(text) is None


def test_bad_place_file_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "places.yml"
    bad.write_text("inside: [vũng tàu]\noutside: nowhere\n", encoding="utf-8")
    with pytest.raises(MessagesError, match="'outside:' must be a list"):
        load_place_scope(bad)
