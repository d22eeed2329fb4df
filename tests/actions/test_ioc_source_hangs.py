"""Fault test: the IOC source hangs while users ask indicators and FAQs of the REAL action server.

Real parts: ``python -m actions`` with the HTTP source pointed at the demo IOC API (a subprocess
over a seeded SQLite database, its faults switched while it runs). The same load runs twice in
this test — with the source healthy, then hung — and the two are compared: indicator turns end
within the turn deadline with the last good value flagged stale, and FAQ turns keep their
latency (ratio of medians, not absolute milliseconds: the machine is shared).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

import httpx
import pytest

from settings.services import load_settings
from tests.actions.webhook import action_request, run_action, slots
from tests.ioc.ioc_testkit import start_demo_api
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus
from tests.stack import ActionServer
from tools.iocdemo.seed import seed_database

DEADLINE_S = 1.5
HTTP_TIMEOUT_S = 20.0  # without the deadline a hung turn would wait this long (or more)
STALE = "⚠️ Hệ thống số liệu IOC đang phản hồi chậm hoặc tạm gián đoạn."
INDICATORS = [  # public indicators: citizens may ask them
    ("lượt khách du lịch năm 2023", "📊 Lượt khách du lịch năm 2023 – "),
    ("doanh thu du lịch quý 1 ở Côn Đảo", "📊 Doanh thu du lịch quý I/2024 – Huyện Côn Đảo: "),
    (
        "chỉ số giá tiêu dùng tháng 3",
        "📊 Chỉ số giá tiêu dùng (CPI, so với cùng kỳ năm trước) tháng 3/2024 – ",
    ),
]
FAQS = [
    ("gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu", "yte-bhyt-gia-han"),
    ("Đăng ký khai sinh cho con cần giấy tờ gì?", "hcc-khai-sinh"),
    ("phong sot xuat huyet the nao", "yte-sot-xuat-huyet"),
]
META = {"channel": "web", "user_id": "dan", "now": "2024-06-15"}


@dataclass
class Phase:
    faq_s: list[float] = field(default_factory=list)
    indicator_s: list[float] = field(default_factory=list)
    indicator_texts: list[tuple[str, str]] = field(default_factory=list)  # (question, reply)


@dataclass(frozen=True)
class Setup:
    actions: ActionServer
    api_url: str

    def faults(self, **faults: object) -> None:
        httpx.post(f"{self.api_url}/_control/faults", json=faults, timeout=10).raise_for_status()

    def health(self) -> dict:
        response = httpx.get(f"{self.actions.url}/health", timeout=30)
        assert response.status_code == 200
        return dict(response.json())


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    root = tmp_path_factory.mktemp("ioc-hang")
    db = root / "ioc.sqlite3"
    seed_database(load_settings({}).paths, now=datetime(2024, 6, 15, 23, 59), url=f"sqlite:///{db}")
    api, api_url = start_demo_api(db, "--control")
    faq_dir = write_corpus(root / "faq", {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": HANH_CHINH})
    env = {
        "ASSISTANT_FAQ_DIR": str(faq_dir),
        "ASSISTANT_FAQ_INDEX_DIR": str(root / "index"),
        "ASSISTANT_CHARTS_DIR": str(root / "charts"),
        "ASSISTANT_IOC_SOURCE": "http",
        "ASSISTANT_IOC_API_URL": api_url,
        "ASSISTANT_IOC_API_TIMEOUT_S": str(HTTP_TIMEOUT_S),
        "ASSISTANT_IOC_API_RETRIES": "1",
        "ASSISTANT_IOC_API_CACHE_TTL_S": "0",  # every turn asks the source
        "ASSISTANT_IOC_TURN_DEADLINE_S": str(DEADLINE_S),
        "ASSISTANT_IOC_WORKERS": "4",
        "ASSISTANT_IOC_BREAKER_FAILURES": "3",
        "ASSISTANT_IOC_BREAKER_COOLDOWN_S": "2",  # probes happen during the hang too
    }
    actions = ActionServer(env=env, log_dir=root).start()
    try:
        yield Setup(actions, api_url)
    finally:
        httpx.post(f"{api_url}/_control/faults", json={"hang": False}, timeout=10)
        actions.stop()
        api.terminate()
        api.wait(timeout=10)


def _indicator_client(url: str, stop: threading.Event, phase: Phase, who: int) -> None:
    with httpx.Client(timeout=120) as client:
        turn = 0
        while not stop.is_set():
            question, _ = INDICATORS[(who + turn) % len(INDICATORS)]
            body = action_request(
                "action_query_indicator",
                question,
                sender=f"staff-{who}-{turn}",
                intent="ask_indicator",
                metadata=META,
            )
            started = time.perf_counter()
            reply = run_action(client, url, body)
            phase.indicator_s.append(time.perf_counter() - started)
            phase.indicator_texts.append((question, reply["responses"][0]["text"]))
            turn += 1
            stop.wait(0.1)  # a person reads the answer; not a tight loop stealing the CPU


def _run_phase(url: str, *, faq_turns: int, min_s: float, indicator_users: int) -> Phase:
    """FAQ turns one after the other (at least ``faq_turns``, for at least ``min_s``) while
    ``indicator_users`` keep asking indicators."""
    phase, stop = Phase(), threading.Event()
    users = [
        threading.Thread(target=_indicator_client, args=(url, stop, phase, who))
        for who in range(indicator_users)
    ]
    for user in users:
        user.start()
    try:
        time.sleep(0.3)
        ends = time.monotonic() + min_s
        with httpx.Client(timeout=120) as client:
            turn = 0
            while turn < faq_turns or time.monotonic() < ends:
                question, faq_id = FAQS[turn % len(FAQS)]
                body = action_request(
                    "action_answer_faq", question, sender=f"citizen-{turn}", intent="ask_faq"
                )
                started = time.perf_counter()
                reply = run_action(client, url, body)
                phase.faq_s.append(time.perf_counter() - started)
                assert slots(reply)["faq_id"] == faq_id
                turn += 1
    finally:
        stop.set()
        for user in users:
            user.join(timeout=120)
    return phase


def test_hung_source_gives_stale_values_in_time_and_faq_keeps_its_latency(
    setup: Setup,
) -> None:
    url = setup.actions.url
    with httpx.Client(timeout=120) as client:  # warm: one good answer to each question
        good = {}
        for question, start in INDICATORS:
            body = action_request(
                "action_query_indicator",
                question,
                sender="w",
                intent="ask_indicator",
                metadata=META,
            )
            text = run_action(client, url, body)["responses"][0]["text"]
            assert text.startswith(start), text
            good[question] = text
    # long enough for the circuit to open, cool down and probe the hung source twice
    normal = _run_phase(url, faq_turns=20, min_s=6.0, indicator_users=6)
    assert all(text == good[q] for q, text in normal.indicator_texts)

    setup.faults(hang=True)
    hung = _run_phase(url, faq_turns=20, min_s=6.0, indicator_users=6)
    health = setup.health()

    # every indicator turn ended near the deadline (not the 20 s HTTP timeout) with the
    # last good value, flagged stale
    allowed_s = DEADLINE_S + max(1.5, 3 * _p95(normal.indicator_s))
    assert len(hung.indicator_texts) >= 12
    assert max(hung.indicator_s) < allowed_s, (hung.indicator_s, allowed_s)
    for question, text in hung.indicator_texts:
        note, _, rest = text.partition("\n")
        assert note.startswith(STALE), text
        assert "Dưới đây là số liệu gần nhất hiện có, lấy lúc " in note
        assert rest == good[question]
    # FAQ turns kept their latency: their own pool, never behind a hung indicator turn
    ratio = statistics.median(hung.faq_s) / statistics.median(normal.faq_s)
    print(
        f"\nFAQ median {statistics.median(normal.faq_s) * 1000:.0f} ms healthy, "
        f"{statistics.median(hung.faq_s) * 1000:.0f} ms hung (ratio {ratio:.2f}); indicator "
        f"max {max(hung.indicator_s):.2f} s hung (deadline {DEADLINE_S} s, "
        f"{len(hung.indicator_s)} turns)"
    )
    assert ratio < 2.0
    assert max(hung.faq_s) < DEADLINE_S
    # /health names the problem while the process keeps serving
    assert health["status"] == "degraded"
    assert health["ioc"]["source"]["state"] in ("open", "half_open")
    assert health["ioc"]["source"]["opened"] >= 1

    setup.faults(hang=False)  # back: the next probe closes the circuit and fresh values return
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=120) as client:
        while True:
            question, start = INDICATORS[0]
            body = action_request(
                "action_query_indicator",
                question,
                sender="r",
                intent="ask_indicator",
                metadata=META,
            )
            text = run_action(client, url, body)["responses"][0]["text"]
            if text.startswith(start):
                break
            assert time.monotonic() < deadline, "the source came back but answers stay stale"
            time.sleep(0.5)
    assert text == good[question]
    assert setup.health()["ioc"]["source"]["state"] == "closed"


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def test_health_reports_services_faq_snapshot_and_bounded_caches(setup: Setup) -> None:
    health = setup.health()
    assert health["services"] == {
        "claim verifier": True,
        "FAQ messages": True,
        "IOC service": True,
        "FAQ service": True,
    }
    faq = health["faq"]
    assert faq["entries"] == (Y_TE + HANH_CHINH).count("\n  - id: ")
    assert (faq["last_reload"], faq["last_error"], faq["watching"]) == ("ok", None, True)
    assert faq["serving_since"] == faq["last_reload_at"]
    ioc = health["ioc"]
    assert ioc["source_cache"] == 0  # ASSISTANT_IOC_API_CACHE_TTL_S=0: nothing kept
    assert 0 < ioc["last_good_answers"] <= len(INDICATORS)  # one per question asked
    assert 0 < ioc["parser_vocab"] < 5000
