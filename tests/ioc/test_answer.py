"""Answers: Vietnamese number format, value from the store, comparison, plan, notes, warnings."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from ioc_testkit import TODAY, make_service, make_settings

from ioc import periods as P
from ioc.answer import format_number
from ioc.errors import SourceUnavailable
from ioc.http_source import HttpSource
from ioc.reply import IndicatorChoice
from ioc.service import IocService, end_of


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1234.5, 1, "1.234,5"),
        (14_100_000, 0, "14.100.000"),
        (0.456, 2, "0,46"),
        (-1234.56, 1, "-1.234,6"),
        (999.95, 1, "1.000,0"),
        (-0.001, 1, "0,0"),
        (7, 0, "7"),
    ],
)
def test_vietnamese_number_format(value: float, decimals: int, text: str) -> None:
    assert format_number(value, decimals) == text


def _sum(db: Path, code: str, area: str, start: str, end: str) -> float:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT SUM(value) FROM ioc_observations WHERE indicator=? AND area=? AND "
            "period_start>=? AND period_end<=?",
            (code, area, start, end),
        ).fetchone()[0]


def ask(service: IocService, text: str, *, today: date = TODAY, role: str = "staff"):  # type: ignore[no-untyped-def]
    return service.ask(text, today=today, now=end_of(today), role=role)


def test_answer_has_value_period_area_change_plan_source_and_demo_label(
    session_service: IocService, seeded_db: Path
) -> None:
    reply = ask(session_service, "Lượt khách du lịch năm 2023")
    value = format_number(_sum(seeded_db, "tourist_arrivals", "brvt", "2023-01-01", "2023-12-31"))
    before = _sum(seeded_db, "tourist_arrivals", "brvt", "2022-01-01", "2022-12-31")
    change = format_number((14_100_000 - before) / before * 100, 1)
    assert (
        f"Lượt khách du lịch năm 2023 – Bà Rịa – Vũng Tàu (cũ): {value} lượt khách." in reply.text
    )
    assert f"So với cùng kỳ năm trước: tăng {change}%" in reply.text
    assert (
        "Lũy kế từ đầu năm đến ngày 31/12/2023: 14.100.000 lượt khách, đạt 100,7% kế hoạch "
        "năm 2023 (14.000.000 lượt khách)." in reply.text
    )
    assert re.search(r"Nguồn: Sở Du lịch\. Cập nhật lúc 05/01/2024 08:00", reply.text)
    assert "mô phỏng" in reply.text
    assert reply.fallback is False
    assert reply.domain == "du_lich"
    assert reply.indicator_slot == {
        "code": "tourist_arrivals",
        "period": {"start": "2023-01-01", "end": "2023-12-31"},
        "area": {"code": "brvt", "name": "Bà Rịa – Vũng Tàu (cũ)", "level": "province"},
    }


def test_monthly_value_is_checked_against_plan_cumulatively(
    session_service: IocService, seeded_db: Path
) -> None:
    reply = ask(session_service, "thu ngân sách tháng 3")
    ytd = _sum(seeded_db, "budget_revenue", "brvt", "2024-01-01", "2024-03-31")
    percent = format_number(ytd / 98_500 * 100, 1)
    assert f"Lũy kế từ đầu năm đến ngày 31/03/2024: {format_number(ytd, 1)} tỷ đồng" in reply.text
    assert f"đạt {percent}% kế hoạch năm 2024 (98.500,0 tỷ đồng)" in reply.text


def test_rate_change_is_in_percentage_points(session_service: IocService) -> None:
    reply = ask(session_service, "tỷ lệ hồ sơ đúng hạn quý 1 ở Long Điền")
    assert re.search(r"Long Điền: \d+,\d\d%\.", reply.text)
    assert "điểm phần trăm" in reply.text
    assert "Mục tiêu" not in reply.text  # targets are province-level


def test_no_period_uses_latest_and_says_so(session_service: IocService) -> None:
    reply = ask(session_service, "chỉ số giá tiêu dùng")
    assert "chưa nêu kỳ số liệu nên tôi dùng kỳ mới nhất: tháng 5/2024" in reply.text
    assert reply.indicator_slot is not None
    assert reply.indicator_slot["period"] == {"start": "2024-05-01", "end": "2024-05-31"}


def test_period_finer_than_periodicity_falls_back_with_a_note(session_service: IocService) -> None:
    reply = ask(session_service, "tăng trưởng GRDP tháng 5")
    assert "cập nhật theo quý" in reply.text
    assert "quý I/2024" in reply.text


def test_partial_period_states_coverage(session_service: IocService) -> None:
    reply = ask(session_service, "thu ngân sách 6 tháng đầu năm")
    assert "6 tháng đầu năm 2024" in reply.text
    assert "Số liệu mới có đến ngày 31/05/2024." in reply.text


def test_stale_data_is_flagged(session_service: IocService) -> None:
    fresh = ask(session_service, "tổng đài 113 hôm qua")
    assert "Cảnh báo" not in fresh.text
    later = TODAY + timedelta(days=10)
    stale = ask(session_service, "tổng đài 113 tuần trước", today=later)
    assert "⚠️ Cảnh báo: số liệu mới nhất chỉ đến ngày 15/06/2024" in stale.text


def test_ambiguous_alias_offers_buttons_that_keep_period_and_area(
    session_service: IocService,
) -> None:
    reply = ask(session_service, "hồ sơ tháng 5 ở Phú Mỹ")
    assert reply.fallback is False
    assert reply.indicator_slot is None
    assert len(reply.choices) == 2  # the counts; rates need a rate word
    assert (
        IndicatorChoice("dossiers_overdue", "Số hồ sơ trễ hạn", "phu_my", P.month(2024, 5))
        in reply.choices
    )


def test_citizen_is_refused_staff_only_indicator(session_service: IocService) -> None:
    reply = ask(session_service, "số vụ phạm pháp hình sự tháng 5", role="citizen")
    assert "chỉ dành cho cán bộ" in reply.text
    assert reply.fallback is True
    assert reply.indicator_slot is None
    public = ask(session_service, "số vụ tai nạn giao thông tháng 5", role="citizen")
    assert public.fallback is False


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("trời hôm nay đẹp", "tôi chưa nhận ra chỉ tiêu"),
        ("aqi tháng 13", "kỳ số liệu bạn nêu không hợp lệ"),
    ],
)
def test_unparseable_questions_get_polite_fallback(
    session_service: IocService, text: str, key: str
) -> None:
    reply = ask(session_service, text)
    assert key in reply.text
    assert reply.fallback is True


def test_figure_we_do_not_have_gets_the_sector_list_honestly(
    session_service: IocService,
) -> None:
    reply = ask(session_service, "sản lượng hạt điều năm nay được bao nhiêu", role="citizen")
    assert "chưa có số liệu bạn hỏi" in reply.text
    assert "Sản lượng thủy sản" in reply.text
    assert reply.fallback is False
    assert reply.domain == "kinh_te_xa_hoi"
    codes = {c.code for c in reply.choices}
    assert {"fisheries_output", "income_per_capita"} <= codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("thu nhập bình quân đầu người năm 2024", "income_per_capita"),
        ("tỷ lệ hộ nghèo năm ngoái", "poverty_rate"),
        ("ty le that nghiep quy 1", "unemployment_rate"),
        ("giải ngân vốn đầu tư công tháng 5", "public_investment_disbursement_rate"),
        ("sản lượng thủy sản tháng trước", "fisheries_output"),
    ],
)
def test_citizen_gets_public_report_figures_with_domain(
    session_service: IocService, text: str, code: str
) -> None:
    reply = ask(session_service, text, role="citizen")
    assert reply.fallback is False, reply.text
    assert reply.indicator_slot is not None
    assert reply.indicator_slot["code"] == code
    assert reply.domain == "kinh_te_xa_hoi"


def test_unreachable_source_gives_polite_message(tmp_path: Path) -> None:
    source = HttpSource("http://127.0.0.1:9", retries=0, timeout_s=0.3)
    service = make_service(make_settings(None, tmp_path), source=source)
    reply = ask(service, "chỉ số giá tiêu dùng tháng 5")
    assert "tạm thời không truy cập được" in reply.text
    assert reply.fallback is True
    with pytest.raises(SourceUnavailable):
        source.latest("cpi", "brvt", as_of_before=datetime(2024, 6, 15))


def test_http_source_answers_like_sqlite(
    demo_api: str, session_service: IocService, tmp_path: Path
) -> None:
    service = make_service(
        make_settings(None, tmp_path), source=HttpSource(demo_api, token="t0ken")
    )
    question = "doanh thu du lịch quý 1 ở Côn Đảo"
    assert ask(service, question).text == ask(session_service, question).text
