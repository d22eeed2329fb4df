"""Soak: 10,000 distinct senders against the REAL action server and web app; memory stays flat.

What runs: ``python -m actions`` (HTTP IOC source → the demo IOC API over a seeded database, the
small FAQ corpus) and ``python -m channels.app`` serving the charts the action server writes.
The driver posts Rasa's own action calls to the action server's ``/webhook`` over loopback, 16
at a time, each from a new sender, and fetches every chart a reply links from the web app (what
the widget does), plus the widget page for every tenth sender. Driving Rasa itself would cost
~15 minutes for 10k turns on this 2-core machine and add nothing here: the action server and the
web app keep no per-sender state, so what can grow is per distinct *content* — every question
carries a word and a number never seen before (spaCy's vocabulary), and 45 indicator-area-period
combinations, 40 of them rare, overflow the bounded source cache and last good answers.
(The charts folder's bound is tested in tests/ioc/test_chart.py: pruning below the number of
charts in use would redraw one per turn here, ~0.1–0.5 s each on this machine.)

Flat means: after a warm-up of 1,000 turns, each process's RSS grows by less than
``TOLERANCE_MB`` up to the end, and by less than half of it over the second half; the bounded
structures (/health) stay at or under their bounds and the charts folder under its bound.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from settings.services import load_settings
from tests.actions.webhook import action_request
from tests.ioc.ioc_testkit import start_demo_api
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus
from tests.stack import ActionServer, services_python
from tests.stack import _Server as Server
from tools.iocdemo.seed import seed_database

TURNS = 10_000
WARM_UP = 2_000  # every question kind and every cold combination seen once before "start"
CONCURRENCY = 16
TOLERANCE_MB = 30.0
BOUNDS = {  # small on purpose: the soak must reach and hold them
    "ASSISTANT_IOC_API_CACHE_MAX": "40",
    "ASSISTANT_IOC_LAST_GOOD_MAX": "20",
    "ASSISTANT_CHARTS_MAX_FILES": "100",
}
HOT = [  # asked again and again: their answers stay cached
    "lượt khách du lịch năm ngoái",
    "doanh thu du lịch quý trước ở Côn Đảo",
    "chỉ số giá tiêu dùng tháng trước",
    "luong mua o vung tau thang truoc",
    "số vụ tai nạn giao thông",
]
COLD_INDICATORS = ["lượt khách du lịch", "chỉ số giá tiêu dùng", "so ca sot xuat huyet", "aqi"]
COLD_AREAS = [" ở Phú Mỹ", " o long dien", " ở Xuyên Mộc", " tai Dat Do", " ở Châu Đức"]
COLD_PERIODS = [" tháng trước", " quy truoc"]
COLD = [i + a + p for i in COLD_INDICATORS for a in COLD_AREAS for p in COLD_PERIODS]  # 40
FAQ_IDS = ["yte-bhyt-gia-han", "yte-tiem-chung-tre-em", "hcc-khai-sinh"]
FAQ_TEXTS = ["gia hạn thẻ bảo hiểm y tế ở đâu", "dang ky khai sinh can giay to gi"]


def _turn(i: int) -> tuple[str, dict]:
    """The action call of sender ``i``, a mix by ``i % 100``.

    45 FAQ buttons, 25 questions naming no indicator, 27 indicators asked often, 2 asked rarely
    (40 combinations: evictions from the bounded caches, new charts), 1 FAQ in free text. Every
    text carries a word and a number nobody typed before.
    """
    sender = f"soak-{i:05d}"
    unseen = f"từ{i}x mã {100_000 + i * 7}"
    meta = {"channel": "web", "user_id": sender}  # real time: "now" moves on every second
    kind = i % 100
    if kind < 45:
        faq_id = FAQ_IDS[i % len(FAQ_IDS)]
        entities = [{"entity": "faq_id", "value": faq_id}]
        body = action_request(
            "action_answer_faq",
            f'/ask_faq{{"faq_id":"{faq_id}"}}',
            sender=sender,
            intent="ask_faq",
            entities=entities,
        )
        return "faq_button", body
    if kind == 45:
        text = f"{FAQ_TEXTS[i % len(FAQ_TEXTS)]} {unseen}"
        return "faq_text", action_request(
            "action_answer_faq", text, sender=sender, intent="ask_faq"
        )
    if kind < 71:
        text, kind_name = f"cho tôi xem thống kê {unseen}", "unknown"
    elif kind < 98:
        text, kind_name = f"{HOT[i % len(HOT)]} {unseen}", "indicator"
    else:
        text, kind_name = f"{COLD[(i // 100 * 2 + kind - 98) % len(COLD)]} {unseen}", "indicator"
    body = action_request(
        "action_query_indicator", text, sender=sender, intent="ask_indicator", metadata=meta
    )
    return kind_name, body


class WebApp(Server):
    """``python -m channels.app`` on a free port."""

    name = "web"

    def __init__(self, *, env: dict[str, str], log_dir: Path) -> None:
        super().__init__(log_dir=log_dir)
        self._env = {**env, "ASSISTANT_WEB_PORT": str(self.port)}

    def _command(self) -> tuple[list[str], dict[str, str]]:
        return [services_python(), "-m", "channels.app"], self._env


def rss_mb(server: Server) -> float:
    """Resident memory of the server process now (``/proc/<pid>/status``)."""
    assert server._process is not None
    status = Path(f"/proc/{server._process.proc.pid}/status").read_text()
    kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(kb) / 1024


@dataclass(frozen=True)
class Stack:
    actions: ActionServer
    web: WebApp
    charts: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("soak")
    db = root / "ioc.sqlite3"
    seed_database(load_settings({}).paths, now=datetime.now(), url=f"sqlite:///{db}")
    api, api_url = start_demo_api(db)
    charts = root / "charts"
    faq_dir = write_corpus(root / "faq", {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": HANH_CHINH})
    env = {
        "ASSISTANT_FAQ_DIR": str(faq_dir),
        "ASSISTANT_FAQ_INDEX_DIR": str(root / "index"),
        "ASSISTANT_CHARTS_DIR": str(charts),
        "ASSISTANT_IOC_SOURCE": "http",
        "ASSISTANT_IOC_API_URL": api_url,
        "ASSISTANT_LOG_LEVEL": "WARNING",
        **BOUNDS,
    }
    actions = ActionServer(env=env, log_dir=root)
    web = WebApp(env={"ASSISTANT_CHARTS_DIR": str(charts)}, log_dir=root)
    try:
        web.start()
        actions.start()
        yield Stack(actions, web, charts)
    finally:
        actions.stop()
        web.stop()
        api.terminate()
        api.wait(timeout=10)


async def _drive(stack: Stack, turns: range, counts: dict[str, int]) -> None:
    """Send ``turns`` with CONCURRENCY senders in flight; fetch what a widget would fetch."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in turns:
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=CONCURRENCY * 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def user() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                kind, body = _turn(i)
                response = await client.post(
                    f"{stack.actions.url}/webhook", json=body, params=stack.actions.auth
                )
                assert response.status_code == 200, response.text
                payload = response.json()
                if kind == "unknown" and not payload["responses"]:
                    # no indicator named: handed to the FAQ for a second opinion, as Rasa would
                    [handover] = payload["events"]
                    assert handover["event"] == "followup", handover
                    body = {**body, "next_action": handover["name"]}
                    response = await client.post(
                        f"{stack.actions.url}/webhook", json=body, params=stack.actions.auth
                    )
                    assert response.status_code == 200, response.text
                    payload = response.json()
                [reply] = payload["responses"]
                assert reply["text"], reply
                counts[kind] += 1
                if kind == "indicator" and reply["text"].startswith("📊 "):
                    counts["answered"] += 1
                if reply.get("image"):
                    name = reply["image"].rsplit("/", 1)[1]
                    png = await client.get(f"{stack.web.url}/charts/{name}")
                    assert png.status_code == 200
                    assert png.content.startswith(b"\x89PNG")
                    counts["charts_fetched"] += 1
                if i % 10 == 0:
                    page = await client.get(f"{stack.web.url}/")
                    assert page.status_code == 200
                    assert "widget.js" in page.text

        await asyncio.gather(*(user() for _ in range(CONCURRENCY)))


def _health(stack: Stack) -> dict:
    return dict(httpx.get(f"{stack.actions.url}/health", timeout=30).json())


def test_ten_thousand_senders_keep_memory_flat(stack: Stack) -> None:
    counts = dict.fromkeys(("indicator", "unknown", "faq_button", "faq_text", "answered"), 0)
    counts["charts_fetched"] = 0
    samples: list[tuple[str, float, float, float]] = []  # (when, seconds, actions MB, web MB)
    started = time.monotonic()

    def sample(when: str) -> None:
        samples.append((when, time.monotonic() - started, rss_mb(stack.actions), rss_mb(stack.web)))

    sample("before")
    asyncio.run(_drive(stack, range(WARM_UP), counts))
    sample("start")
    vocab_start = _health(stack)["ioc"]["parser_vocab"]
    middle = WARM_UP + (TURNS - WARM_UP) // 2
    asyncio.run(_drive(stack, range(WARM_UP, middle), counts))
    sample("middle")
    asyncio.run(_drive(stack, range(middle, TURNS), counts))
    sample("end")
    health = _health(stack)

    print(f"\nsoak: {TURNS} senders in {samples[-1][1]:.0f} s, {counts}")
    for when, seconds, actions_mb, web_mb in samples:
        print(f"  {when:>6} {seconds:6.0f} s  actions {actions_mb:6.1f} MB  web {web_mb:5.1f} MB")
    assert sum(counts[k] for k in ("indicator", "unknown", "faq_button", "faq_text")) == TURNS
    assert counts["answered"] > counts["indicator"] * 9 // 10
    assert counts["charts_fetched"] == counts["answered"]

    by_when = {when: (a, w) for when, _, a, w in samples}
    for column, process in enumerate(("action server", "web app")):
        start, mid, end = (by_when[w][column] for w in ("start", "middle", "end"))
        assert end - start < TOLERANCE_MB, f"{process} RSS grew {start:.0f} → {end:.0f} MB"
        assert end - mid < TOLERANCE_MB / 2, f"{process} RSS grew {mid:.0f} → {end:.0f} MB"

    ioc = health["ioc"]
    assert ioc["parser_vocab"] == vocab_start  # 9,000 more unseen words, not one string more
    assert ioc["source_cache"] <= int(BOUNDS["ASSISTANT_IOC_API_CACHE_MAX"])
    assert ioc["last_good_answers"] == int(BOUNDS["ASSISTANT_IOC_LAST_GOOD_MAX"])
    assert len(list(stack.charts.glob("*.png"))) <= len(HOT) + len(COLD)
