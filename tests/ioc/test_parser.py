"""Indicator and area recognition with patterns generated from the data files."""

from __future__ import annotations

from datetime import date

import pytest

from ioc.parser import QuestionParser
from ioc.service import IocService

REF = date(2024, 6, 15)


@pytest.fixture(scope="module")
def parser(session_service: IocService) -> QuestionParser:
    return session_service.parser


@pytest.mark.parametrize(
    ("text", "code", "area"),
    [
        ("Lượt khách du lịch ở TP Vũng Tàu", "tourist_arrivals", "vung_tau"),
        ("luot khach du lich o tp vung tau", "tourist_arrivals", "vung_tau"),
        ("Số hồ sơ trễ hạn tx Phú Mỹ", "dossiers_overdue", "phu_my"),
        ("ho so tre han thi xa phu my", "dossiers_overdue", "phu_my"),
        ("tỷ lệ bao phủ BHYT huyện Côn Đảo", "health_insurance_coverage", "con_dao"),
        ("Thu NSNN tỉnh Bà Rịa – Vũng Tàu", "budget_revenue", "brvt"),
        ("thu ngan sach ba ria vung tau", "budget_revenue", "brvt"),
        ("thu ngân sách Bà Rịa", "budget_revenue", "ba_ria"),
        ("số người chết do tai nạn giao thông", "traffic_deaths", "brvt"),
        ("Lượng mưa Đất Đỏ", "rainfall", "dat_do"),
        ("THU NGÂN SÁCH LONG ĐIỀN", "budget_revenue", "long_dien"),
    ],
)
def test_indicator_and_area_are_recognised_with_or_without_diacritics(
    parser: QuestionParser, text: str, code: str, area: str
) -> None:
    parsed = parser.parse(text, REF)
    assert parsed.indicator_codes == (code,)
    assert parsed.area.code == area


def test_nfd_input_is_normalised(parser: QuestionParser) -> None:
    import unicodedata

    parsed = parser.parse(unicodedata.normalize("NFD", "Lượt khách du lịch Côn Đảo"), REF)
    assert (parsed.indicator_codes, parsed.area.code) == (("tourist_arrivals",), "con_dao")


def test_no_area_means_whole_province(parser: QuestionParser) -> None:
    parsed = parser.parse("chỉ số giá tiêu dùng tháng 5", REF)
    assert (parsed.area.code, parsed.area.level, parsed.area_explicit) == (
        "brvt",
        "province",
        False,
    )


def test_shared_alias_is_ambiguous(parser: QuestionParser) -> None:
    parsed = parser.parse("hồ sơ tháng 5", REF)
    assert set(parsed.indicator_codes) == {
        "dossiers_received",
        "dossiers_on_time_rate",
        "dossiers_overdue",
        "online_dossier_rate",
    }


def test_accented_syllable_must_match_exactly(parser: QuestionParser) -> None:
    # "mùa" (season) must not be read as "mưa" (rain); unaccented "mua" may be
    assert "rainfall" not in parser.parse("mùa này", REF).indicator_codes
    assert parser.parse("luong mua hom nay", REF).indicator_codes == ("rainfall",)


def test_unknown_question_has_no_indicator(parser: QuestionParser) -> None:
    assert parser.parse("hôm nay trời đẹp quá", REF).indicator_codes == ()


def test_aliases_of_every_indicator_find_it(session_service: IocService) -> None:
    for indicator in session_service.catalog:
        codes = session_service.parser.parse(indicator.name, REF).indicator_codes
        assert indicator.code in codes, indicator.name
