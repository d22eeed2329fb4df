"""A hung or failing IOC source: deadline, circuit breaker, last good answer flagged stale.

The source is the real HTTP adapter against the real demo IOC API (a subprocess), whose faults
are switched while it runs (``--control``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from ioc_testkit import TODAY, make_service, start_demo_api

from ioc.errors import SourceUnavailable
from ioc.guard import CircuitBreaker, GuardedSource, SourceSkipped, SourceTimeout
from ioc.http_source import HttpSource
from ioc.service import IocService, end_of
from settings.services import load_settings

AS_OF = datetime(2024, 6, 15, 23, 59, 59)
QUESTION = "lượt khách du lịch quý 1 ở Côn Đảo"


class DemoApi:
    """The running demo API and its fault switch."""

    def __init__(self, url: str) -> None:
        self.url = url

    def faults(self, **faults: object) -> dict[str, object]:
        response = httpx.post(f"{self.url}/_control/faults", json=faults, timeout=10)
        response.raise_for_status()
        return dict(response.json())


@pytest.fixture
def api(seeded_db: Path) -> Iterator[DemoApi]:
    proc, url = start_demo_api(seeded_db, "--control")
    demo = DemoApi(url)
    try:
        yield demo
    finally:
        demo.faults(hang=False)  # let hung handlers answer before the server goes
        proc.terminate()
        proc.wait(timeout=10)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_failures_in_a_row_and_probes_once_when_cooled_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failures=3, cooldown_s=30, clock=clock)
    for _ in range(2):
        assert breaker.acquire()
        breaker.failure()
    assert breaker.acquire()
    breaker.success()  # a success in between: the count starts again
    for _ in range(3):
        assert breaker.acquire()
        breaker.failure()
    assert breaker.snapshot() == {
        "state": "open",
        "consecutive_failures": 3,
        "opened": 1,
        "retry_in_s": 30.0,
    }
    assert not breaker.acquire()
    clock.now += 30
    assert breaker.acquire()  # the probe
    assert not breaker.acquire()  # only one probe at a time
    breaker.failure()
    assert breaker.snapshot()["state"] == "open"
    assert breaker.snapshot()["opened"] == 2
    clock.now += 30
    assert breaker.acquire()
    breaker.success()
    assert breaker.snapshot() == {
        "state": "closed",
        "consecutive_failures": 0,
        "opened": 2,
        "retry_in_s": None,
    }
    assert breaker.acquire()
    assert breaker.acquire()


def test_hung_source_times_out_at_the_deadline_then_is_skipped_then_recovers(
    api: DemoApi,
) -> None:
    source = HttpSource(api.url, timeout_s=30, retries=0, cache_ttl_s=0)
    breaker = CircuitBreaker(failures=2, cooldown_s=1.0)
    guard = GuardedSource(source, breaker, workers=2)
    assert guard.until(time.monotonic() + 10).latest("cpi", "brvt", as_of_before=AS_OF)
    api.faults(hang=True)
    for _ in range(2):
        started = time.monotonic()
        with pytest.raises(SourceTimeout, match="did not answer within"):
            guard.until(started + 0.5).latest("cpi", "brvt", as_of_before=AS_OF)
        # the 30 s HTTP timeout would hold the turn; the deadline ends it
        assert time.monotonic() - started < 0.5 + 2.0
    assert breaker.snapshot()["state"] == "open"
    sent = api.faults()["hits"]
    with pytest.raises(SourceSkipped, match="circuit is open"):
        guard.until(time.monotonic() + 5).latest("cpi", "brvt", as_of_before=AS_OF)
    assert api.faults()["hits"] == sent  # skipped: nothing was sent to the source
    api.faults(hang=False)
    time.sleep(1.1)
    latest = guard.until(time.monotonic() + 10).latest("cpi", "brvt", as_of_before=AS_OF)
    assert latest is not None
    assert latest.period_start == date(2024, 5, 1)
    assert breaker.snapshot()["state"] == "closed"
    guard.close()


def test_failing_source_opens_the_circuit_too(api: DemoApi) -> None:
    source = HttpSource(api.url, retries=0, cache_ttl_s=0)
    breaker = CircuitBreaker(failures=2, cooldown_s=60)
    guard = GuardedSource(source, breaker, workers=1)
    api.faults(fail_next=5)
    for _ in range(2):
        with pytest.raises(SourceUnavailable, match="HTTP 500"):
            guard.until(time.monotonic() + 10).latest("cpi", "brvt", as_of_before=AS_OF)
    with pytest.raises(SourceSkipped):
        guard.until(time.monotonic() + 10).latest("cpi", "brvt", as_of_before=AS_OF)
    guard.close()


@pytest.fixture
def http_service(api: DemoApi, tmp_path: Path) -> Iterator[IocService]:
    settings = load_settings(
        {
            "ASSISTANT_IOC_SOURCE": "http",
            "ASSISTANT_IOC_API_URL": api.url,
            "ASSISTANT_IOC_API_TIMEOUT_S": "30",
            "ASSISTANT_IOC_API_RETRIES": "0",
            "ASSISTANT_IOC_API_CACHE_TTL_S": "0",  # every turn asks the API
            "ASSISTANT_IOC_TURN_DEADLINE_S": "0.8",
            "ASSISTANT_IOC_BREAKER_FAILURES": "2",
            "ASSISTANT_IOC_BREAKER_COOLDOWN_S": "60",
            "ASSISTANT_CHARTS_DIR": str(tmp_path / "charts"),
        }
    )
    service = make_service(settings)
    yield service
    service.close()


def _ask(service: IocService, question: str) -> tuple[float, str, str | None]:
    started = time.monotonic()
    reply = service.ask(question, today=TODAY, now=end_of(TODAY), role="staff")
    return time.monotonic() - started, reply.text, reply.image


def test_turn_answers_the_last_good_value_flagged_stale_within_the_deadline(
    http_service: IocService, api: DemoApi
) -> None:
    before = datetime.now()
    _, good, image = _ask(http_service, QUESTION)
    read_at = {f"lấy lúc {t:%H:%M ngày %d/%m/%Y};" for t in (before, datetime.now())}
    assert good.startswith("📊 Lượt khách du lịch quý I/2024 – Huyện Côn Đảo: ")
    assert image is not None
    api.faults(hang=True)
    for _ in range(3):  # timed out twice (circuit opens), then skipped at once
        seconds, text, stale_image = _ask(http_service, QUESTION)
        assert seconds < 0.8 + 2.0
        note, _, rest = text.partition("\n")
        assert note.startswith("⚠️ Hệ thống số liệu IOC đang phản hồi chậm")
        assert any(f"Dưới đây là số liệu gần nhất hiện có, {at}" in note for at in read_at)
        assert rest == good  # the last good figure, unchanged
        assert stale_image == image
    assert http_service.status()["source"]["state"] == "open"
    assert http_service.status()["last_good_answers"] == 1
    # a question never answered before has no last good value: an honest "unavailable"
    _, text, _ = _ask(http_service, "chỉ số giá tiêu dùng tháng 3")
    assert text.startswith("Xin lỗi, hệ thống số liệu IOC đang tạm thời không truy cập được")


def test_last_good_answers_are_bounded(api: DemoApi, tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ASSISTANT_IOC_SOURCE": "http",
            "ASSISTANT_IOC_API_URL": api.url,
            "ASSISTANT_IOC_LAST_GOOD_MAX": "3",
            "ASSISTANT_CHARTS_DIR": str(tmp_path / "charts"),
        }
    )
    service = make_service(settings)
    for month in range(1, 7):
        _ask(service, f"chỉ số giá tiêu dùng tháng {month}")
    assert len(service.last_good) == 3
    assert service.status()["source_cache"] is not None
    service.close()
