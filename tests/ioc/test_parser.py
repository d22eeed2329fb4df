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
    # no rate word: the count indicators sharing the alias stay, the rates drop out
    parsed = parser.parse("hồ sơ tháng 5", REF)
    assert set(parsed.indicator_codes) == {"dossiers_received", "dossiers_overdue"}
    parsed = parser.parse("tỷ lệ hồ sơ tháng 5", REF)
    assert set(parsed.indicator_codes) == {"dossiers_on_time_rate", "online_dossier_rate"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            "phản ánh hiện trường tuần trước giải quyết được mấy phần trăm",
            "citizen_reports_resolved_rate",
        ),
        ("bao nhiêu % phản ánh đã xử lý xong", "citizen_reports_resolved_rate"),
        ("phan anh hien truong tuan truoc", "citizen_reports_received"),
        ("hồ sơ đúng hạn quý 1 chiếm bao nhiêu", "dossiers_on_time_rate"),
        ("có bao nhiêu hồ sơ bị trễ hạn tháng 4", "dossiers_overdue"),
        ("số người tử vong vì tngt năm ngoái", "traffic_deaths"),
        ("bao nhiêu phần trăm hồ sơ nộp online tháng này", "online_dossier_rate"),
        ("ty le paht da xu ly thang truoc", "citizen_reports_resolved_rate"),
        ("năm ngoái có bao nhiêu hồ sơ bị trễ hẹn", "dossiers_overdue"),
    ],
)
def test_rate_and_count_words_pick_the_indicator(
    parser: QuestionParser, text: str, code: str
) -> None:
    assert parser.parse(text, REF).indicator_codes == (code,)


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


def test_vocabulary_stays_bounded_whatever_users_type(session_service: IocService) -> None:
    # spaCy keeps every new string of a Doc for good: 2,000 questions, each with words and
    # numbers never seen before, must not grow it (they grew it by ~2.7 strings each before)
    parser = QuestionParser(session_service.catalog, session_service.areas)
    ask = "thu ngân sách tháng {m} năm 2023 ở xã {w} mã số {n}"
    for month in range(1, 13):  # the numbers the period patterns read are a bounded set
        parser.parse(ask.format(m=month, w="abc", n=1000), REF)
    before = parser.vocab_size
    letters = "aăbcdđeêghiklmnoôơpqrstuưvxy"
    for i in range(2000):
        word = "".join(letters[(i * 7 + k * 3) % len(letters)] for k in range(6))
        parsed = parser.parse(ask.format(m=1 + i % 12, w=f"{word}{i}", n=1000 + i * 7919), REF)
        assert parsed.indicator_codes == ("budget_revenue",)
        assert parsed.period is not None
        assert parsed.period.start == date(2023, 1 + i % 12, 1)
    assert parser.vocab_size == before


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("lượng mùa ở Đất Đỏ", ()),  # a diacritic typed differs from the alias: no match
        ("luong mua o dat do", ("rainfall",)),  # no diacritics: the folded alias matches
        ("thu ngân sách thàng 3", ("budget_revenue",)),  # a period word matches folded
    ],
)
def test_unseen_words_match_as_before(parser: QuestionParser, text: str, codes: tuple) -> None:
    parsed = parser.parse(text, REF)
    assert parsed.indicator_codes == codes
    if "3" in text:
        assert parsed.period is not None
        assert parsed.period.start == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        # typed bare in a sentence with diacritics, "mua"/"chay" are other words
        ("Mua đất nền ở Bà Rịa cần giấy tờ gì?", ()),
        ("Xe khách chay qua cầu Cỏ May lúc mấy giờ?", ()),
        # written with their diacritics, or in a sentence without any, they are the indicators
        ("Trời mưa hôm qua bao nhiêu mm ở Đất Đỏ", ("rainfall",)),
        ("luong mua hom qua o dat do", ("rainfall",)),
        ("so vu chay thang truoc", ("fire_incidents",)),
        ("Số vụ cháy tháng trước", ("fire_incidents",)),
    ],
)
def test_a_one_word_alias_typed_bare_in_an_accented_sentence_is_another_word(
    parser: QuestionParser, text: str, codes: tuple[str, ...]
) -> None:
    assert parser.parse(text, REF).indicator_codes == codes
