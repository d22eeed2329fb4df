"""Fault tests on the real cluster (``tools.cluster``): 2 Rasa replicas + 2 action servers behind
nginx, tracker store in PostgreSQL (a database of its own per run, dropped afterwards), lock store
in Redis, events to RabbitMQ (a queue of its own per run, deleted afterwards). Loopback only."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import create_engine, text

from tests.conftest import ROLE_SECRET
from tests.stack import REPO_ROOT, model_path, rasa_python, services_python
from tests.tcpcut import CuttableProxy
from tools.cluster import (
    Cluster,
    ClusterError,
    check_postgres,
    check_rabbitmq,
    check_redis,
    drop_ephemeral,
    ephemeral_plan,
)

APOLOGY = "tạm gián đoạn"
PROXIES: dict[str, CuttableProxy] = {}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """The cluster on free loopback ports, with copies of the FAQ data and index."""
    base = tmp_path_factory.mktemp("cluster")
    faq_dir, index_dir, charts_dir = base / "faq", base / "faq_index", base / "charts"
    shutil.copytree(REPO_ROOT / "data" / "faq", faq_dir)
    if (REPO_ROOT / "var" / "faq_index").is_dir():
        shutil.copytree(REPO_ROOT / "var" / "faq_index", index_dir, symlinks=True)
    charts_dir.mkdir()
    plan = ephemeral_plan(
        base / "work",
        model=str(model_path()),
        rasa_python=rasa_python(),
        svc_python=services_python(),
        extra_env={
            "ASSISTANT_FAQ_DIR": str(faq_dir),
            "ASSISTANT_FAQ_INDEX_DIR": str(index_dir),
            "ASSISTANT_CHARTS_DIR": str(charts_dir),
            "ASSISTANT_ROLE_SECRET": ROLE_SECRET,
            "ASSISTANT_ACTIONS_TIMEOUT_S": "10",
            # both action servers follow the live FAQ version of one database (as in production)
            "ASSISTANT_DB_URL": f"sqlite:///{base / 'assistant.sqlite3'}",
            "ASSISTANT_FAQ_LIVE_DIR": str(base / "faq_live"),
            "ASSISTANT_FAQ_POLL_S": "0.5",
        },
    )
    # PostgreSQL and Redis through proxies the tests can cut (the machine's servers are shared)
    pg, redis = CuttableProxy("127.0.0.1", 5432), CuttableProxy("127.0.0.1", 6379)
    plan = replace(
        plan,
        db_url=plan.db_url.replace(":5432/", f":{pg.port}/"),
        redis_url=plan.redis_url.replace(":6379/", f":{redis.port}/"),
    )
    running = Cluster(plan)
    PROXIES["postgres"], PROXIES["redis"] = pg, redis
    try:
        running.preflight()
        running.start(timeout_s=420)
        yield running
    finally:
        running.stop()
        pg.restore()
        drop_ephemeral(plan)
        pg.close()
        redis.close()


def _say(cluster: Cluster, sender: str, message: str) -> str:
    response = httpx.post(
        f"{cluster.plan.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        timeout=60,
    )
    response.raise_for_status()
    return "\n".join(str(m.get("text", "")) for m in response.json())


def _user_turns(cluster: Cluster, sender: str) -> list[str]:
    engine = create_engine(cluster.plan.db_url.replace("postgresql:", "postgresql+psycopg:", 1))
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
            {"s": sender},
        ).scalars()
        found = [json.loads(row)["text"] for row in rows]
    engine.dispose()
    return found


def _replica_of(cluster: Cluster, sender: str) -> str:
    """The replica nginx sends ``sender`` to (its webhook call's line in the access log)."""
    path = cluster.plan.work_dir / "nginx" / "access.log"

    def calls() -> list[str]:
        return [line for line in path.read_text().splitlines() if "/webhooks/rest/webhook" in line]

    before = len(calls())
    _say(cluster, sender, "chào bạn")
    # nginx writes the line after the reply has gone out: wait for it, never read the previous one
    deadline = time.monotonic() + 10
    while len(found := calls()) <= before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(found) == before + 1, "nginx did not log the call"
    upstream = found[-1].split()[5]
    port = int(upstream.rsplit(":", 1)[1])
    return f"rasa-{port - cluster.plan.port_base}"


def test_each_conversation_stays_on_one_replica(cluster: Cluster) -> None:
    for n in range(6):
        sender = f"pin-{n}-{uuid.uuid4().hex[:6]}"
        assert len({_replica_of(cluster, sender) for _ in range(3)}) == 1


def _faq_entries(cluster: Cluster) -> list[int]:
    plan = cluster.plan
    return [
        httpx.get(f"http://127.0.0.1:{plan.action_port(i)}/health", timeout=10).json()["faq"][
            "entries"
        ]
        for i in range(plan.action_servers)
    ]


def test_faq_edit_reaches_every_action_server(cluster: Cluster) -> None:
    faq_dir = Path(cluster.plan.extra_env["ASSISTANT_FAQ_DIR"])
    before = _faq_entries(cluster)
    assert len(set(before)) == 1
    path = faq_dir / "du_lich.yml"
    corpus = yaml.safe_load(path.read_text(encoding="utf-8"))
    marker = f"Mã cụm {uuid.uuid4().hex[:6]}"
    corpus["entries"].append(
        {
            "id": "dl-test-cum-may-chu",
            "questions": [
                "Bến xe khách trung tâm mở cửa lúc mấy giờ?",
                "ben xe khach trung tam mo cua luc may gio",
            ],
            "answer": f"{marker}: bến xe khách trung tâm mở cửa từ 4 giờ 30 sáng.",
            "source": "Bài kiểm thử cụm máy chủ",
            "updated": "2026-01-03",
            "audience": "citizen",
        }
    )
    path.write_text(yaml.safe_dump(corpus, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # the editor publishes the draft: every action server follows the new live version
    published = subprocess.run(
        [str(REPO_ROOT / "bin" / "assistant"), "faq", "publish", "--message", "cụm máy chủ"],
        env={**os.environ, **cluster.plan.extra_env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _faq_entries(cluster) != [before[0] + 1] * len(before):
        time.sleep(0.5)
    assert _faq_entries(cluster) == [before[0] + 1] * len(before)  # both servers, same data dir
    for n in range(4):  # nginx spreads the calls over both action servers
        reply = _say(
            cluster, f"faq-{n}-{uuid.uuid4().hex[:6]}", "ben xe khach trung tam mo cua luc may gio"
        )
        assert marker in reply


def test_replica_killed_mid_conversation_continues_on_the_other(cluster: Cluster) -> None:
    sender = f"kill-{uuid.uuid4().hex[:8]}"
    victim = _replica_of(cluster, sender)
    assert _say(cluster, sender, "làm căn cước công dân ở đâu")
    cluster.kill(victim)
    # the next turn goes to the surviving replica, which reads the conversation from PostgreSQL
    after = _say(cluster, sender, "cảm ơn bạn")
    assert after
    tracker = httpx.get(
        f"{cluster.plan.rasa_url}/conversations/{sender}/tracker",
        params={"token": cluster.plan.api_token},
        timeout=30,
    )
    texts = [e.get("text") for e in tracker.json()["events"] if e.get("event") == "user"]
    assert texts == ["chào bạn", "làm căn cước công dân ở đâu", "cảm ơn bạn"]
    assert _user_turns(cluster, sender) == texts  # nothing lost in the tracker store


def _until(check: Callable[[], object], timeout_s: float) -> float:
    """Seconds until ``check()`` is true (fails after ``timeout_s``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if check():
            return time.monotonic() - started
        time.sleep(0.3)
    raise AssertionError(f"not true within {timeout_s} s")


def test_redis_lost_while_running_apologises_then_recovers(cluster: Cluster) -> None:
    sender = f"redis-{uuid.uuid4().hex[:8]}"
    assert APOLOGY not in _say(cluster, sender, "xin chào")
    PROXIES["redis"].cut()
    try:
        # the lock store is gone: a polite apology, never silence or a 5xx
        assert APOLOGY in _say(cluster, sender, "làm căn cước công dân ở đâu")
    finally:
        PROXIES["redis"].restore()
    took = _until(lambda: APOLOGY not in _say(cluster, sender, "làm căn cước công dân ở đâu"), 30)
    print(f"Redis back -> answered again in {took:.1f} s")


def test_postgres_lost_while_running_answers_then_stores_again(cluster: Cluster) -> None:
    sender = f"pg-{uuid.uuid4().hex[:8]}"
    assert _say(cluster, sender, "xin chào")
    PROXIES["postgres"].cut()
    try:
        # Rasa's fail-safe tracker store answers from memory meanwhile: no error for the user
        assert _say(cluster, sender, "cảm ơn bạn")
    finally:
        PROXIES["postgres"].restore()
    after = f"pg-after-{uuid.uuid4().hex[:8]}"
    took = _until(lambda: _say(cluster, after, "xin chào") and _user_turns(cluster, after), 30)
    print(f"PostgreSQL back -> turns stored again in {took:.1f} s")


class _Load:
    """Background FAQ turns, each from a new citizen; records (time, answered text).

    A new sender per turn: when both action servers are down the apologies come back fast, and
    one sender looping on them would meet the per-sender rate limit (429), which is not what
    this test is about."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.results: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(3)]

    def _run(self, n: int) -> None:
        while not self._stop.is_set():
            sender = f"load-{n}-{uuid.uuid4().hex[:8]}"
            try:
                text_ = _say(self.cluster, sender, "thủ tục cấp đổi căn cước công dân")
            except httpx.HTTPError as exc:
                text_ = f"HTTP error {exc!r}"
            self.results.append((time.monotonic(), text_))

    def __enter__(self) -> _Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def since(self, moment: float) -> list[str]:
        return [t for at, t in self.results if at >= moment]


def test_action_servers_killed_under_load(cluster: Cluster) -> None:
    with _Load(cluster) as load:
        time.sleep(3)
        cluster.kill("actions-1")
        one_down = time.monotonic()
        time.sleep(4)
        # one action server left: nginx retries on it, nobody notices
        served = load.since(one_down)
        assert served
        assert not [t for t in served if APOLOGY in t or t.startswith("HTTP error")]
        cluster.kill("actions-2")
        both_down = time.monotonic()
        time.sleep(7)
        replies = load.since(both_down + 3)  # turns begun before the kill may still be answered
        assert replies
        # a polite apology, never a 5xx (a call already under way may still be answered)
        assert not [t for t in replies if t.startswith("HTTP error")], replies
        assert any(APOLOGY in t for t in replies), replies
        cluster.restart("actions-1")
        back = time.monotonic()
        deadline = back + 30
        while time.monotonic() < deadline:
            if any(APOLOGY not in t for t in load.since(back)):
                break
            time.sleep(0.2)
        recovered = [at for at, t in load.results if at >= back and APOLOGY not in t]
        assert recovered, "no answer after the action server came back"
        assert recovered[0] - back <= 5.0


def test_stores_unreachable_at_start_give_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        ClusterError, match=r"PostgreSQL at 127\.0\.0\.1:1 .*ASSISTANT_CLUSTER_DB_URL"
    ):
        check_postgres("postgresql://postgres@127.0.0.1:1/trolyao")
    with pytest.raises(
        ClusterError, match=r"Redis at 127\.0\.0\.1:1 .*ASSISTANT_CLUSTER_REDIS_URL"
    ):
        check_redis("redis://127.0.0.1:1/0")
    with pytest.raises(ClusterError, match=r"RabbitMQ at 127\.0\.0\.1:1 .*ASSISTANT_RABBITMQ_URL"):
        check_rabbitmq("amqp://guest:guest@127.0.0.1:1/%2F", "q")
    # the command: one line naming what and where, exit code 2, nothing started
    env = {
        "ASSISTANT_MODEL": str(model_path()),
        "ASSISTANT_RASA_PYTHON": rasa_python(),
        "ASSISTANT_SVC_PYTHON": services_python(),
        "ASSISTANT_VAR_DIR": str(tmp_path),
        "ASSISTANT_CLUSTER_REDIS_URL": "redis://127.0.0.1:1/0",
        "PYTHONPATH": str(REPO_ROOT),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [services_python(), "-m", "tools.cluster"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "error: Redis at 127.0.0.1:1 (ASSISTANT_CLUSTER_REDIS_URL) is unreachable" in done.stderr
    assert not (tmp_path / "cluster" / "logs").exists()
