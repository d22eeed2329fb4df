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
        ("đường đi Hạ Long có bị cấm không", "ha long"),  # a street word, then another word
        ("thành phố Đà Lạt có lễ hội hoa không", "da lat"),  # "phố" is not a street word
        ("xe từ Đà Lạt đi Nha Trang mấy tiếng", "nha trang"),  # from one place to another
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
        "ba noi ra ubnd co to khai nao khong",  # "co to" is "có tờ", not the island Cô Tô
        "đèn đường Hạ Long hỏng cả tuần, báo ai",  # a street of Vũng Tàu named after the city
        "quan an o duong Ha Long bi ngap",
        "mẹ tôi quê Thanh Hóa vào ở với tôi, chuyển trợ cấp thế nào",  # where she comes from
        "sinh vien tu Hue vao thue tro dang ky tam tru o dau",
        "khong dong y ket qua thi danh gia lai the nao",  # "đánh giá lại", not Gia Lai
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


@pytest.mark.parametrize(
    ("text", "provider"),
    [
        ("đơn hàng trên lazada giao trễ cả tuần", "lazada"),
        ("ví momo bị trừ tiền 2 lần", "momo"),
        ("mat khau internet banking vietcombank quen roi", "vietcombank"),
        ("gói cước 4G nào rẻ nhất", "goi cuoc"),
        ("mở tài khoản chứng khoán online ở đâu", "tai khoan chung khoan"),
        ("cây ATM nuốt mất thẻ rồi, lấy lại sao", "atm"),
    ],
)
def test_a_private_providers_business_is_recognised(text: str, provider: str) -> None:
    assert PLACES.other_service(text) == provider


@pytest.mark.parametrize(
    "text",
    [
        "nộp thuế qua app Vietcombank được không",  # a public payment through a bank
        "bị lừa chuyển tiền qua Momo thì trình báo ở đâu",  # a scam to report
        "đóng BHYT hộ gia đình qua Viettel Money",
        "lương hưu chuyển qua thẻ ATM hay nhận tiền mặt",  # a pension is ours to answer
        "bị bôi nhọ trên facebook thì báo ai",  # a wrong done through the provider
        "thuê xe máy ở Vũng Tàu giá bao nhiêu",  # no provider
        "homestay quảng cáo trên tiktok có giấy phép không",  # a licence is ours to answer
        "",
    ],
)
def test_public_questions_naming_a_provider_are_left_alone(text: str) -> None:
    assert PLACES.other_service(text) is None


def test_providers_are_optional_in_the_place_file(tmp_path: Path) -> None:
    path = tmp_path / "places.yml"
    path.write_text("inside: [vũng tàu]\noutside: [hà nội]\n", encoding="utf-8")
    assert load_place_scope(path).other_service("đơn shopee chưa giao") is None
    path.write_text("inside: []\noutside: []\nservices: shopee\n", encoding="utf-8")
    with pytest.raises(MessagesError, match="'services:' must be a list"):
        load_place_scope(path)
