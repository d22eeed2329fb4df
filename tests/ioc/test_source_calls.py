"""An indicator turn reads the source at most twice: the latest figure and one window."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from ioc_testkit import TODAY, make_service, make_settings

from ioc.model import Observation
from ioc.service import IocService, end_of
from ioc.store import SqlSource


class CountingSqlSource(SqlSource):
    """The real SQL source over the seeded database, recording every query a turn sends."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.calls: list[str] = []

    def observations(
        self, indicator: str, area: str, start: date, end: date, *, as_of_before: datetime
    ) -> list[Observation]:
        self.calls.append(f"observations {indicator} {area} {start}..{end}")
        return super().observations(indicator, area, start, end, as_of_before=as_of_before)

    def latest(self, indicator: str, area: str, *, as_of_before: datetime) -> Observation | None:
        self.calls.append(f"latest {indicator} {area}")
        return super().latest(indicator, area, as_of_before=as_of_before)


@pytest.fixture(scope="module")
def counted(
    seeded_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[IocService, CountingSqlSource]:
    source = CountingSqlSource(f"sqlite:///{seeded_db}")
    settings = make_settings(seeded_db, tmp_path_factory.mktemp("charts"))
    # staff-only charts are linked only when they can be signed (tests/ioc/test_staff_sideways.py)
    settings = settings.model_copy(
        update={"ioc": settings.ioc.model_copy(update={"chart_url_secret": "chart-secret-tests"})}
    )
    return make_service(settings, source=source), source


@pytest.mark.parametrize(
    ("question", "days_later", "expected"),
    [
        ("Lượt khách du lịch năm 2023", 0, "So với cùng kỳ năm trước: tăng"),  # change + plan
        ("thu ngân sách tháng 3", 0, "Lũy kế từ đầu năm đến ngày 31/03/2024"),  # year to date
        ("chỉ số giá tiêu dùng", 0, "tôi dùng kỳ mới nhất: tháng 5/2024"),  # latest period
        ("tăng trưởng GRDP tháng 5", 0, "cập nhật theo quý"),  # coarser period
        ("thu ngân sách 6 tháng đầu năm", 0, "Số liệu mới có đến ngày 31/05/2024."),  # partial
        ("tổng đài 113 tuần trước", 10, "⚠️ Cảnh báo: số liệu mới nhất"),  # stale
        ("tỷ lệ hồ sơ đúng hạn quý 1 ở Long Điền", 0, "điểm phần trăm"),  # rate, district
        ("aqi hôm qua ở Phú Mỹ", 0, "ngày 14/06/2024"),  # daily
        ("lượt khách du lịch từ đầu năm đến nay", 0, "đến ngày 15/06/2024"),  # ytd
        ("số ca sốt xuất huyết tuần trước ở Xuyên Mộc", 0, "Huyện Xuyên Mộc"),  # weekly
    ],
)
def test_turn_reads_the_source_at_most_twice(
    counted: tuple[IocService, CountingSqlSource], question: str, days_later: int, expected: str
) -> None:
    service, source = counted
    today = TODAY + timedelta(days=days_later)
    source.calls.clear()
    reply = service.ask(question, today=today, now=end_of(today), role="staff")
    assert expected in reply.text
    assert reply.fallback is False
    assert reply.image is not None  # the chart's 24 buckets came from the same window
    assert len(source.calls) <= 2, source.calls
