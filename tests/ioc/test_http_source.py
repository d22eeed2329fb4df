"""HTTP adapter against the real demo IOC API (subprocess on a free port)."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from ioc_testkit import start_demo_api

from ioc.errors import SourceUnavailable
from ioc.http_source import HttpSource
from ioc.store import SqlSource

AS_OF = datetime(2024, 6, 15, 23, 59, 59)


def test_observations_equal_the_database_rows(demo_api: str, seeded_db: Path) -> None:
    source = HttpSource(demo_api, token="t0ken")
    got = source.observations(
        "cpi", "brvt", date(2024, 1, 1), date(2024, 3, 31), as_of_before=AS_OF
    )
    expected = SqlSource(f"sqlite:///{seeded_db}").observations(
        "cpi", "brvt", date(2024, 1, 1), date(2024, 3, 31), as_of_before=AS_OF
    )
    assert got == expected
    assert len(got) == 3
    latest = source.latest("aqi", "phu_my", as_of_before=AS_OF)
    assert latest is not None
    assert latest.period_end == date(2024, 6, 15)


def test_responses_are_cached_for_the_ttl(demo_api: str) -> None:
    source = HttpSource(demo_api, token="t0ken", cache_ttl_s=60)
    for _ in range(3):
        source.latest("cpi", "brvt", as_of_before=AS_OF)
    assert source.requests_sent == 1


def test_wrong_token_is_a_clear_error_without_retry(demo_api: str) -> None:
    source = HttpSource(demo_api, token="wrong", retries=3, backoff_s=0.01)
    with pytest.raises(SourceUnavailable, match="401"):
        source.latest("cpi", "brvt", as_of_before=AS_OF)
    assert source.requests_sent == 1


def test_bad_parameters_get_400(demo_api: str) -> None:
    response = httpx.get(
        f"{demo_api}/v1/observations",
        params={"indicator": "cpi"},
        headers={"Authorization": "Bearer t0ken"},
    )
    assert response.status_code == 400
    assert "area" in response.json()["error"]


def test_500_then_200_is_retried(seeded_db: Path) -> None:
    proc, url = start_demo_api(seeded_db, "--fail-first", "2")
    try:
        source = HttpSource(url, retries=3, backoff_s=0.05)
        latest = source.latest("cpi", "brvt", as_of_before=AS_OF)
        assert latest is not None
        assert latest.period_start == date(2024, 5, 1)
        assert source.requests_sent == 3
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_timeouts_are_retried_then_reported(seeded_db: Path) -> None:
    proc, url = start_demo_api(seeded_db, "--delay-s", "1.0")
    try:
        source = HttpSource(url, timeout_s=0.2, retries=1, backoff_s=0.05)
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match=r"failed after 2 attempts \(timeout"):
            source.latest("cpi", "brvt", as_of_before=AS_OF)
        assert source.requests_sent == 2
        assert time.monotonic() - started < 1.5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_unreachable_server_is_source_unavailable() -> None:
    source = HttpSource("http://127.0.0.1:9", retries=1, backoff_s=0.01, timeout_s=0.5)
    with pytest.raises(SourceUnavailable, match="connection error"):
        source.latest("cpi", "brvt", as_of_before=AS_OF)


def test_turns_within_the_ttl_share_answers_although_now_moved_on(demo_api: str) -> None:
    # each turn asks "published before now": the second turn's now is a few seconds later
    source = HttpSource(demo_api, token="t0ken", cache_ttl_s=60)
    first_turn = datetime(2024, 6, 15, 10, 0, 5)
    for seconds in (0, 3, 40):
        now = first_turn.replace(second=5 + seconds)
        source.latest("cpi", "brvt", as_of_before=now)
        source.observations("cpi", "brvt", date(2024, 1, 1), date(2024, 3, 31), as_of_before=now)
    assert source.requests_sent == 2
    source.latest("cpi", "brvt", as_of_before=datetime(2024, 6, 15, 10, 1, 0))  # next minute
    assert source.requests_sent == 3


def test_cache_is_bounded_least_recently_used_out(demo_api: str) -> None:
    source = HttpSource(demo_api, token="t0ken", cache_ttl_s=600, cache_max_items=3)
    areas = ["brvt", "vung_tau", "ba_ria", "phu_my", "con_dao"]
    for area in areas:
        source.latest("cpi", area, as_of_before=AS_OF)
        source.latest("cpi", "brvt", as_of_before=AS_OF)  # kept: used again and again
    assert len(source.cache) == 3
    assert source.cache.evictions == 2
    sent = source.requests_sent
    source.latest("cpi", "brvt", as_of_before=AS_OF)
    source.latest("cpi", "con_dao", as_of_before=AS_OF)
    assert source.requests_sent == sent  # the most recent two are still cached
    source.latest("cpi", "vung_tau", as_of_before=AS_OF)
    assert source.requests_sent == sent + 1  # evicted long ago
