"""FAQ answers, hot reload and IOC indicators over Rasa REST, against the real stack."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import Stack

pytestmark = pytest.mark.e2e


def _texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def _sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.mark.parametrize(
    "question", ["Thủ tục cấp thẻ căn cước lần đầu như thế nào?", "lam the can cuoc lan dau o dau"]
)
def test_faq_question_is_answered_with_source_and_date(stack: Stack, question: str) -> None:
    sender = _sender()
    reply = _texts(stack.rasa.say(question, sender=sender))
    assert "Nguồn:" in reply
    assert "Cập nhật:" in reply
    slots = stack.rasa.tracker(sender)["slots"]
    assert slots["answer_domain"] == "an_ninh_trat_tu"
    assert slots["faq_id"] == "antt-can-cuoc-lan-dau"
    assert slots["fallback"] is False


def test_edited_faq_file_is_answered_after_publish_without_restart(stack: Stack) -> None:
    from editorial import Workspace

    path = stack.faq_dir / "du_lich.yml"
    corpus = yaml.safe_load(path.read_text(encoding="utf-8"))
    marker = f"Mã kiểm thử {uuid.uuid4().hex[:6]}"
    corpus["entries"].append(
        {
            "id": "dl-test-do-that-lac-ben-tau",
            "questions": [
                "Thủ tục nhận lại đồ thất lạc ở bến tàu cao tốc như thế nào?",
                "quên đồ trên tàu cao tốc thì làm sao lấy lại",
                "thu tuc nhan lai do that lac o ben tau cao toc nhu the nao",
            ],
            "answer": f"{marker}: liên hệ quầy hành lý thất lạc tại sảnh chờ của bến tàu.",
            "source": "Bài kiểm thử nạp nóng",
            "updated": "2026-01-02",
            "audience": "citizen",
        }
    )
    question = "thu tuc nhan lai do that lac o ben tau cao toc nhu the nao"
    assert marker not in _texts(stack.rasa.say(question, sender=_sender()))
    path.write_text(yaml.safe_dump(corpus, allow_unicode=True, sort_keys=False), encoding="utf-8")
    time.sleep(2)  # a saved draft is not served
    assert marker not in _texts(stack.rasa.say(question, sender=_sender()))
    workspace = Workspace(
        stack.faq_dir,
        Path(stack.env["ASSISTANT_FAQ_LIVE_DIR"]),
        stack.env["ASSISTANT_DB_URL"],
    )
    started = time.monotonic()
    workspace.publish("kiem-thu", "đồ thất lạc ở bến tàu")
    deadline = started + 90
    reply = ""
    while time.monotonic() < deadline:
        reply = _texts(stack.rasa.say(question, sender=_sender()))
        if marker in reply:
            break
        time.sleep(0.5)
    elapsed = time.monotonic() - started
    print(f"publish → live: {elapsed:.1f} s")
    assert marker in reply
    assert "Cập nhật: 02/01/2026" in reply


def _staff_metadata(stack: Stack, sender: str) -> dict:
    from actions.identity import mint_claim

    token = mint_claim(sender, stack.role_secret, ttl_s=600, subject="can-bo-1")
    return {"channel": "web", "user_id": "can-bo-1", "role_token": token, "now": "2025-06-15"}


def test_indicator_question_returns_value_provenance_and_chart(stack: Stack) -> None:
    sender = _sender()
    messages = stack.rasa.say(
        "thu ngân sách tháng trước?", sender=sender, metadata=_staff_metadata(stack, sender)
    )
    reply = _texts(messages)
    assert "Nguồn" in reply
    assert "05/2025" in reply or "tháng 5/2025" in reply
    images = [m["image"] for m in messages if m.get("image")]
    assert images
    assert images[0].endswith(".png")
    chart = stack.charts_dir / images[0].rsplit("/", 1)[-1]
    assert chart.read_bytes().startswith(b"\x89PNG")
    indicator = stack.rasa.tracker(sender)["slots"]["indicator"]
    assert indicator["code"] == "budget_revenue"
    assert indicator["period"] == {"start": "2025-05-01", "end": "2025-05-31"}
    assert indicator["area"]["level"] == "province"


def test_forged_staff_role_is_not_trusted(stack: Stack) -> None:
    forged = {
        "channel": "web",
        "user_id": "x",
        "role": "staff",
        "role_token": "forged.token",
        "now": "2025-06-15",
    }
    sender = _sender()
    reply = _texts(
        stack.rasa.say("số vụ phạm pháp hình sự quý 1 ở Phú Mỹ", sender=sender, metadata=forged)
    )
    slots = stack.rasa.tracker(sender)["slots"]
    assert slots["fallback"] is True
    assert "cán bộ" in reply


def test_rasa_rejects_malformed_json_with_4xx(stack: Stack) -> None:
    response = httpx.post(
        f"{stack.rasa.url}/webhooks/rest/webhook",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert 400 <= response.status_code < 500
