"""``action_query_indicator`` through the REAL action server, and role resolution.

The action server is ``python -m actions`` (tests.stack.ActionServer) on a free port, called
with the rasa-sdk webhook JSON, over a seeded SQLite database (reference date 2024-06-15).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.identity import mint_claim
from settings.services import load_settings
from tests.stack import ACTIONS_TOKEN, ActionServer
from tools.iocdemo.seed import seed_database

SECRET = "test-role-secret-0123456789abcdef0123"
SENDER = "tester"
STAFF_TELEGRAM = "777001"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    from datetime import datetime

    root = tmp_path_factory.mktemp("action_server")
    db = root / "ioc.sqlite3"
    seed_database(load_settings({}).paths, now=datetime(2024, 6, 15, 23, 59), url=f"sqlite:///{db}")
    env = {
        "HF_HUB_OFFLINE": "1",
        "ASSISTANT_IOC_SOURCE": "sqlite",
        "ASSISTANT_IOC_DB_URL": f"sqlite:///{db}",
        "ASSISTANT_CHARTS_DIR": str(root / "charts"),
        "ASSISTANT_ROLE_SECRET": SECRET,
        "ASSISTANT_CHART_URL_SECRET": "chart-secret",
        "ASSISTANT_STAFF_TELEGRAM_IDS": f"123, {STAFF_TELEGRAM}",
        "ASSISTANT_PUBLIC_URL": "http://charts.test:8080",
    }
    server = ActionServer(env=env, log_dir=root).start()
    try:
        yield server.url, root / "charts"
    finally:
        server.stop()


def call(
    url: str, text: str, metadata: dict[str, Any], *, entities: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body = {
        "next_action": "action_query_indicator",
        "sender_id": "tester",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "tester",
            "slots": {},
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "events": [],
            "latest_message": {
                "text": text,
                "intent": {"name": "ask_indicator", "confidence": 1.0},
                "entities": entities or [],
                "metadata": metadata,
            },
        },
    }
    response = httpx.post(f"{url}/webhook", json=body, params={"token": ACTIONS_TOKEN}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def slots(result: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}


def test_staff_token_gets_answer_with_chart_and_slots(action_server: tuple[str, Path]) -> None:
    url, charts = action_server
    token = mint_claim(SENDER, SECRET, ttl_s=300, subject="canbo01")
    result = call(
        url,
        "Số vụ phạm pháp hình sự quý 1 ở TP Vũng Tàu",
        {"channel": "web", "user_id": "canbo01", "role_token": token, "now": "2024-06-15"},
    )
    reply = result["responses"][0]
    assert reply["text"].startswith("📊 Số vụ phạm pháp hình sự quý I/2024 – Thành phố Vũng Tàu: ")
    assert "Nguồn: Công an tỉnh" in reply["text"]
    assert reply["image"].startswith("http://charts.test:8080/charts/")
    name, query = reply["image"].rsplit("/", 1)[1].split("?")
    assert name.startswith(
        "s-"
    )  # staff-only: signed link that expires (tests/ioc/test_chart_url.py)
    assert query.startswith("exp=")
    assert (charts / name).stat().st_size > 10_000
    assert slots(result) == {
        "indicator": {
            "code": "criminal_cases",
            "period": {"start": "2024-01-01", "end": "2024-03-31"},
            "area": {"code": "vung_tau", "name": "Thành phố Vũng Tàu", "level": "district"},
        },
        "answer_domain": "an_ninh_trat_tu",
        "faq_id": None,
        "fallback": False,
        "suggestions": [],
    }
    # what the analytics consumer reads (bot-utterance metadata, docs/analytics.md)
    assert reply["turn"] == {
        "decision": "answer",
        "role": "staff",
        "guessed_domain": "an_ninh_trat_tu",
    }


@pytest.mark.parametrize(
    "metadata",
    [
        {"channel": "web", "user_id": "u1", "now": "2024-06-15"},
        {"channel": "web", "user_id": "u1", "role": "staff", "now": "2024-06-15"},  # not trusted
        {
            "channel": "web",
            "user_id": "u1",
            "now": "2024-06-15",
            "role_token": mint_claim(SENDER, "another-secret-0123456789abcdef0123", ttl_s=300),
        },  # forged
        {
            "channel": "web",
            "user_id": "u1",
            "now": "2024-06-15",
            "role_token": mint_claim(SENDER, SECRET, ttl_s=1, now=time.time() - 120),
        },  # expired
        {
            "channel": "web",
            "now": "2024-06-15",
            "role_token": mint_claim("another-conversation", SECRET, ttl_s=300),
        },  # replayed from another conversation
        {"channel": "telegram", "user_id": STAFF_TELEGRAM, "now": "2024-06-15"},  # unsigned
    ],
    ids=["no-token", "plain-role", "forged", "expired", "other-conversation", "allow-listed-id"],
)
def test_staff_only_indicator_is_refused_to_citizens(
    action_server: tuple[str, Path], metadata: dict[str, Any]
) -> None:
    result = call(action_server[0], "số cuộc gọi tổng đài 113 hôm qua", metadata)
    assert "chỉ dành cho cán bộ" in result["responses"][0]["text"]
    assert "image" not in result["responses"][0] or not result["responses"][0]["image"]
    got = slots(result)
    assert got["fallback"] is True
    assert got["indicator"] is None
    assert result["responses"][0]["turn"]["decision"] == "refused"
    assert result["responses"][0]["turn"]["role"] == "citizen"


def test_public_indicator_is_answered_to_citizens(action_server: tuple[str, Path]) -> None:
    result = call(
        action_server[0],
        "luot khach du lich nam 2023",
        {"channel": "web", "user_id": "dan", "now": "2024-06-15"},
    )
    assert ": 14.100.000 lượt khách." in result["responses"][0]["text"]
    assert slots(result)["fallback"] is False


def test_ambiguous_question_then_button_payload(action_server: tuple[str, Path]) -> None:
    url = action_server[0]
    meta = {"channel": "web", "user_id": "dan", "now": "2024-06-15"}
    first = call(url, "du lịch quý 1 ở Côn Đảo", meta)
    buttons = first["responses"][0]["buttons"]
    assert {b["title"] for b in buttons} == {"Lượt khách du lịch", "Doanh thu du lịch"}
    assert first["responses"][0]["turn"]["decision"] == "suggest"
    payload = next(b["payload"] for b in buttons if b["title"] == "Doanh thu du lịch")
    # Rasa turns the payload JSON into entities; the text is kept too — test both paths
    entities = [
        {"entity": "indicator_code", "value": "tourism_revenue"},
        {"entity": "area_code", "value": "con_dao"},
        {"entity": "period", "value": "quarter:2024-01-01:2024-03-31"},
    ]
    for result in (call(url, payload, meta, entities=entities), call(url, payload, meta)):
        assert "Doanh thu du lịch quý I/2024 – Huyện Côn Đảo" in result["responses"][0]["text"]
        assert slots(result)["indicator"]["period"] == {"start": "2024-01-01", "end": "2024-03-31"}


def test_question_naming_no_indicator_is_handed_to_the_faq(
    action_server: tuple[str, Path],
) -> None:
    # no indicator and no sector: maybe a FAQ question the classifier took for a figure; the
    # FAQ action answers on strong evidence or says no indicator was recognised
    result = call(action_server[0], "hôm nay ăn gì", {"channel": "web", "user_id": "dan"})
    assert result["responses"] == []
    assert result["events"] == [
        {"event": "followup", "timestamp": None, "name": "action_answer_faq"}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "lượng khách du lịch Đà Lạt tháng này",  # an indicator word, but another province
        "lãi suất tiết kiệm Sacombank tháng này",  # a private provider's own figure
    ],
)
def test_figure_question_out_of_reach_is_handed_to_the_faq_to_decline(
    action_server: tuple[str, Path], text: str
) -> None:
    result = call(action_server[0], text, {"channel": "web", "user_id": "dan"})
    assert result["responses"] == []
    assert result["events"] == [
        {"event": "followup", "timestamp": None, "name": "action_answer_faq"}
    ]
