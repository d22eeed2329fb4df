"""Vietnamese period expressions, table-driven, relative to a fixed reference date."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from ioc import periods as P
from ioc.errors import PeriodError
from ioc.parser import QuestionParser
from ioc.service import IocService

REF = date(2024, 6, 15)  # Saturday; 2024 is a leap year

CASES = [
    # (question, reference, expected start, expected end, kind)
    ("lượt khách du lịch hôm nay", REF, "2024-06-15", "2024-06-15", "day"),
    ("luot khach du lich hom nay", REF, "2024-06-15", "2024-06-15", "day"),
    ("aqi hôm qua", REF, "2024-06-14", "2024-06-14", "day"),
    ("aqi hom qua", date(2024, 1, 1), "2023-12-31", "2023-12-31", "day"),
    ("aqi tuần này", REF, "2024-06-10", "2024-06-16", "week"),
    ("aqi tuan nay", REF, "2024-06-10", "2024-06-16", "week"),
    ("aqi tuần trước", REF, "2024-06-03", "2024-06-09", "week"),
    ("aqi tuan truoc", date(2024, 1, 3), "2023-12-25", "2023-12-31", "week"),
    ("aqi tuần trước", date(2025, 1, 1), "2024-12-23", "2024-12-29", "week"),
    ("aqi tháng này", REF, "2024-06-01", "2024-06-30", "month"),
    ("aqi thang nay", date(2024, 2, 10), "2024-02-01", "2024-02-29", "month"),
    ("aqi tháng trước", REF, "2024-05-01", "2024-05-31", "month"),
    ("aqi thang truoc", date(2024, 1, 20), "2023-12-01", "2023-12-31", "month"),
    ("aqi tháng 2/2024", REF, "2024-02-01", "2024-02-29", "month"),
    ("aqi thang 2/2023", REF, "2023-02-01", "2023-02-28", "month"),
    ("aqi tháng 3", REF, "2024-03-01", "2024-03-31", "month"),
    ("aqi tháng 11", REF, "2023-11-01", "2023-11-30", "month"),  # future month → last year
    ("aqi tháng 5 năm 2023", REF, "2023-05-01", "2023-05-31", "month"),
    ("aqi tháng 05/2022", REF, "2022-05-01", "2022-05-31", "month"),
    ("aqi tháng 4 năm ngoái", REF, "2023-04-01", "2023-04-30", "month"),
    ("aqi quý 1", REF, "2024-01-01", "2024-03-31", "quarter"),
    ("aqi quy 2", REF, "2024-04-01", "2024-06-30", "quarter"),
    ("aqi quý III", REF, "2023-07-01", "2023-09-30", "quarter"),  # future quarter → last year
    ("aqi quý IV/2023", REF, "2023-10-01", "2023-12-31", "quarter"),
    ("aqi quy iv/2023", REF, "2023-10-01", "2023-12-31", "quarter"),
    ("aqi quý II năm 2022", REF, "2022-04-01", "2022-06-30", "quarter"),
    ("aqi Q1/2024", REF, "2024-01-01", "2024-03-31", "quarter"),
    ("aqi quý này", REF, "2024-04-01", "2024-06-30", "quarter"),
    ("aqi quý trước", REF, "2024-01-01", "2024-03-31", "quarter"),
    ("aqi 6 tháng đầu năm", REF, "2024-01-01", "2024-06-30", "half"),
    ("aqi 6 thang dau nam 2023", REF, "2023-01-01", "2023-06-30", "half"),
    ("aqi 6 tháng đầu năm nay", REF, "2024-01-01", "2024-06-30", "half"),
    ("aqi 9 tháng", REF, "2024-01-01", "2024-09-30", "nine_months"),
    ("aqi 9 tháng đầu năm", REF, "2024-01-01", "2024-09-30", "nine_months"),
    ("aqi 9 thang nam 2023", REF, "2023-01-01", "2023-09-30", "nine_months"),
    ("aqi 5 tháng đầu năm", REF, "2024-01-01", "2024-05-31", "first_months"),
    ("aqi 11 thang nam 2023", REF, "2023-01-01", "2023-11-30", "first_months"),
    ("aqi năm nay", REF, "2024-01-01", "2024-12-31", "year"),
    ("aqi nam nay", REF, "2024-01-01", "2024-12-31", "year"),
    ("aqi năm ngoái", REF, "2023-01-01", "2023-12-31", "year"),
    ("aqi nam truoc", REF, "2023-01-01", "2023-12-31", "year"),
    ("aqi năm 2022", REF, "2022-01-01", "2022-12-31", "year"),
    ("aqi nam 2022", REF, "2022-01-01", "2022-12-31", "year"),
    ("aqi từ đầu năm đến nay", REF, "2024-01-01", "2024-06-15", "ytd"),
    ("aqi tu dau nam den nay", REF, "2024-01-01", "2024-06-15", "ytd"),
    ("aqi lũy kế", REF, "2024-01-01", "2024-06-15", "ytd"),
    ("aqi luy ke", date(2024, 2, 29), "2024-01-01", "2024-02-29", "ytd"),
    ("aqi ngày 3/6", REF, "2024-06-03", "2024-06-03", "day"),
    ("aqi ngay 28/12/2023", REF, "2023-12-28", "2023-12-28", "day"),
    ("aqi ngày 3 tháng 6 năm 2023", REF, "2023-06-03", "2023-06-03", "day"),
    ("aqi hnay", REF, "2024-06-15", "2024-06-15", "day"),
]


@pytest.fixture(scope="module")
def parser(session_service: IocService) -> QuestionParser:
    return session_service.parser


@pytest.mark.parametrize(("text", "ref", "start", "end", "kind"), CASES)
def test_period_expression_resolves_to_calendar_dates(
    parser: QuestionParser, text: str, ref: date, start: str, end: str, kind: str
) -> None:
    period = parser.parse(text, ref).period
    assert period is not None, text
    assert (period.start.isoformat(), period.end.isoformat(), period.kind) == (start, end, kind)


def test_question_without_period_has_none(parser: QuestionParser) -> None:
    assert parser.parse("chỉ số aqi ở Phú Mỹ", REF).period is None


@pytest.mark.parametrize(
    "text", ["aqi tháng 13", "aqi tháng 0/2024", "aqi quý 5", "aqi quy 0", "aqi ngày 31/2"]
)
def test_impossible_period_raises_period_error(parser: QuestionParser, text: str) -> None:
    with pytest.raises(PeriodError):
        parser.parse(text, REF)


def test_year_earlier_of_leap_day_and_week() -> None:
    assert P.month(2024, 2).year_earlier() == P.Period(date(2023, 2, 1), date(2023, 2, 28), "month")
    assert P.day(date(2024, 2, 29)).year_earlier().start == date(2023, 3, 2)  # 364 days: Thursday
    week = P.week(date(2024, 1, 3)).year_earlier()
    assert (week.start.weekday(), week.end.weekday()) == (0, 6)


def test_buckets_are_consecutive_and_end_at_reference() -> None:
    months = P.buckets("month", date(2024, 2, 10), 12)
    assert [m.start for m in months][:2] == [date(2023, 3, 1), date(2023, 4, 1)]
    assert months[-1] == P.month(2024, 2)
    assert all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in itertools.pairwise(months))


def test_encoded_period_round_trips() -> None:
    period = P.quarter(2023, 4)
    assert P.decode_period(P.encode_period(period)) == period
    with pytest.raises(PeriodError):
        P.decode_period("month:2024-05-31:2024-05-01")
