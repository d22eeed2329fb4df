"""A staff figure question is told apart from a procedure on the same topic (ioc.figure)."""

from __future__ import annotations

from datetime import date

import pytest

from ioc.figure import asks_figure
from ioc.parser import QuestionParser
from ioc.service import IocService

REF = date(2024, 6, 15)


@pytest.fixture(scope="module")
def parser(session_service: IocService) -> QuestionParser:
    return session_service.parser


@pytest.mark.parametrize(
    "text",
    [
        "Long Điền có mấy doanh nghiệp thành lập mới trong quý này?",
        "so doanh nghiep dang ky moi o phu my thang 4",
        "Số vụ cháy ở Côn Đảo năm 2023",
        "tỷ lệ nộp hồ sơ trực tuyến mới nhất",
        "luot khach du lich nam ngoai tang hay giam",
        "thu ngân sách lũy kế",
        "Chỉ số AQI ở Bà Rịa hôm qua thế nào",
        "Tình hình tai nạn giao thông ở Xuyên Mộc quý trước",
        "bao nhiêu % hồ sơ thủ tục hành chính được giải quyết đúng hạn tháng 5",
    ],
)
def test_a_quantity_or_a_period_with_a_named_indicator_asks_a_figure(
    parser: QuestionParser, text: str
) -> None:
    assert asks_figure(parser.parse(text, REF), text)


@pytest.mark.parametrize(
    "text",
    [
        # a procedure or a personal case on an indicator's topic: the FAQ answers it
        "Thủ tục đăng ký thành lập doanh nghiệp ở Phú Mỹ",
        "đăng ký doanh nghiệp mới nộp hồ sơ ở đâu năm nay",
        "BHYT được chi trả bao nhiêu phần trăm khi nằm viện",
        "the bhyt dc huong may phan tram",
        "AQI bao nhiêu là ô nhiễm?",
        "lam ho so doanh nghiep mat may ngay",
        "đường dây nóng phản ánh hiện trường là số mấy",
        "số điện thoại đội chữa cháy ở Xuyên Mộc là bao nhiêu",  # a phone number, not a figure
        "Khách du lịch đến Côn Đảo nên đi tàu nào?",
        "Hướng dẫn tra cứu hồ sơ thủ tục hành chính năm 2024",
        # no indicator named at all
        "năm 2024 có gì mới",
        "bao nhiêu tuổi thì được làm căn cước",
    ],
)
def test_procedures_and_questions_without_an_indicator_do_not(
    parser: QuestionParser, text: str
) -> None:
    assert not asks_figure(parser.parse(text, REF), text)
