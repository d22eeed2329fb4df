"""`action_answer_faq` through the real action server (`python -m actions`), over HTTP.

The server runs with ASSISTANT_FAQ_DIR pointing at a tmp copy of a small corpus; the hot-reload
test edits that copy and polls the webhook until the new answer is served.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.identity import mint_claim
from tests.retrieval.faq_samples import HANH_CHINH, Y_TE, write_corpus
from tests.stack import ACTIONS_TOKEN, ActionServer

SECRET = "test-role-secret-0123456789abcdef0123"
STAFF_QUESTION = "Quy trình báo cáo ca bệnh truyền nhiễm nội bộ cho cán bộ y tế"
FOREIGN_MARRIAGE = """\
  - id: hcc-ket-hon-nuoc-ngoai
    questions:
      - Thủ tục đăng ký kết hôn có yếu tố nước ngoài
      - Thủ tục đăng ký kết hôn gồm những gì?
      - ket hon voi nguoi nuoc ngoai lam giay to o dau
    answer: |-
      Nộp hồ sơ đăng ký kết hôn có yếu tố nước ngoài tại UBND cấp huyện nơi cư trú.
    source: "Luật Hộ tịch 2014 — https://dichvucong.gov.vn"
    updated: 2025-04-01
"""


class FaqActions:
    """The running action server, called exactly as Rasa calls it."""

    def __init__(self, url: str, faq_dir: Path, log: Path) -> None:
        self.url, self.faq_dir, self.log = url, faq_dir, log

    def run(
        self,
        text: str,
        *,
        entities: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
        intent: str = "ask_faq",
    ) -> dict[str, Any]:
        """POST one action request exactly as Rasa does; return the JSON reply."""
        message = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "metadata": metadata or {"channel": "rest"},
        }
        tracker = {
            "sender_id": "test-user",
            "slots": {},
            "latest_message": message,
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
            "latest_event_time": time.time(),
        }
        body = {
            "next_action": "action_answer_faq",
            "sender_id": "test-user",
            "tracker": tracker,
            "domain": {},
            "version": "3.6.21",
        }
        response = httpx.post(
            f"{self.url}/webhook", json=body, params={"token": ACTIONS_TOKEN}, timeout=900
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaqActions]:
    root = tmp_path_factory.mktemp("action-server")
    faq_dir = write_corpus(
        root / "faq", {"y_te.yml": Y_TE, "hanh_chinh_cong.yml": HANH_CHINH + FOREIGN_MARRIAGE}
    )
    env = {
        "ASSISTANT_ROLE_SECRET": SECRET,
        "ASSISTANT_FAQ_DIR": str(faq_dir),
        "ASSISTANT_FAQ_INDEX_DIR": str(root / "index"),
    }
    server = ActionServer(env=env, log_dir=root).start()
    try:
        yield FaqActions(server.url, faq_dir, root / f"actions-{server.port}.log")
    finally:
        server.stop()


def _slots(reply: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in reply["events"] if e["event"] == "slot"}


def test_health_answers_once_every_service_is_loaded(action_server: FaqActions) -> None:
    log = action_server.log.read_text(encoding="utf-8", errors="replace")
    for name in ("FAQ messages", "IOC service", "FAQ service"):
        assert f"{name} ready in " in log, log[-2000:]


def test_answer_has_source_date_and_turn_contract_slots(action_server: FaqActions) -> None:
    reply = action_server.run("Đăng ký khai sinh cho con cần giấy tờ gì?")
    [message] = reply["responses"]
    assert message["text"].startswith("Cần tờ khai, giấy chứng sinh")
    assert "\nNguồn: Luật Hộ tịch 2014 — https://dichvucong.gov.vn" in message["text"]
    assert message["text"].endswith("\nCập nhật: 01/04/2025")
    turn = message["turn"]  # what the analytics consumer reads (docs/analytics.md)
    assert (turn["decision"], turn["role"], turn["guessed_domain"]) == (
        "answer",
        "citizen",
        "hanh_chinh_cong",
    )
    assert 0.5 < turn["score"] <= 1.0
    assert _slots(reply) == {
        "answer_domain": "hanh_chinh_cong",
        "faq_id": "hcc-khai-sinh",
        "indicator": None,
        "fallback": False,
        "suggestions": [],
    }


def test_suggestion_button_payload_answers_that_entry(action_server: FaqActions) -> None:
    reply = action_server.run('/ask_faq{"faq_id":"hcc-ket-hon"}')
    assert reply["responses"][0]["text"].startswith("Hai bên nộp tờ khai đăng ký kết hôn")
    assert _slots(reply)["faq_id"] == "hcc-ket-hon"
    entity = action_server.run(
        '/ask_faq{"faq_id":"yte-sot-xuat-huyet"}',
        entities=[{"entity": "faq_id", "value": "yte-sot-xuat-huyet"}],
    )
    assert _slots(entity)["faq_id"] == "yte-sot-xuat-huyet"


def test_unknown_or_staff_only_payload_is_refused_politely(action_server: FaqActions) -> None:
    for faq_id in ("khong-ton-tai", "yte-bao-cao-dich-noi-bo"):
        reply = action_server.run(f'/ask_faq{{"faq_id":"{faq_id}"}}')
        assert "không còn trong danh mục" in reply["responses"][0]["text"]
        assert _slots(reply)["fallback"] is True


def test_out_of_corpus_question_is_declined_with_domain_names(action_server: FaqActions) -> None:
    reply = action_server.run("Cách nấu phở bò ngon như ngoài hàng?")
    text = reply["responses"][0]["text"]
    assert text.startswith("Xin lỗi, tôi chưa tìm thấy thông tin phù hợp")
    assert "Hành chính công" in text
    assert "Y tế" in text
    slots = _slots(reply)
    assert (slots["fallback"], slots["faq_id"], slots["answer_domain"]) == (True, None, None)
    assert reply["responses"][0]["turn"]["decision"] == "decline"


def test_question_about_another_province_is_declined_not_answered(
    action_server: FaqActions,
) -> None:
    # retrieval would find our own birth-registration entry; the place says it is not ours
    reply = action_server.run("Đăng ký khai sinh cho con ở Hải Phòng cần giấy tờ gì?")
    text = reply["responses"][0]["text"]
    assert text.startswith("Xin lỗi, tôi chỉ có thông tin của địa bàn tỉnh Bà Rịa – Vũng Tàu")
    assert _slots(reply)["fallback"] is True
    assert _slots(reply)["faq_id"] is None


def test_question_about_a_private_providers_business_is_sent_to_its_customer_service(
    action_server: FaqActions,
) -> None:
    # retrieval would find our marriage entry for "giấy tờ"; the bank's own loan is not ours
    reply = action_server.run("vay tín chấp ở Techcombank cần giấy tờ gì")
    text = reply["responses"][0]["text"]
    assert text.startswith("Xin lỗi, đây là dịch vụ riêng của doanh nghiệp")
    assert "chăm sóc khách hàng" in text
    assert _slots(reply)["fallback"] is True
    # the same kind of provider named in a public-service question goes on to the FAQ search
    public = action_server.run("Thủ tục đăng ký kết hôn có yếu tố nước ngoài, lệ phí nộp qua ACB")
    assert not public["responses"][0]["text"].startswith("Xin lỗi, đây là dịch vụ riêng")


def test_request_for_a_personal_decision_is_declined_with_what_the_bot_does_answer(
    action_server: FaqActions,
) -> None:
    # retrieval would find the marriage entry; whether to marry is not a public service
    reply = action_server.run("bạn trai cầu hôn rồi, tôi có nên cưới luôn năm nay không")
    text = reply["responses"][0]["text"]
    assert text.startswith("Xin lỗi, tôi không thể quyết định hay tư vấn chuyện riêng")
    assert "thủ tục hành chính" in text
    assert _slots(reply)["fallback"] is True
    assert _slots(reply)["faq_id"] is None
    # the procedure on the same topic is searched as usual
    procedure = action_server.run("muốn đăng ký kết hôn thì làm thế nào")
    assert _slots(procedure)["faq_id"] in {"hcc-ket-hon", "hcc-ket-hon-nuoc-ngoai"}


def test_close_call_answers_the_top_entry_and_offers_the_other_as_related(
    action_server: FaqActions,
) -> None:
    # two entries share this exact phrasing (see FOREIGN_MARRIAGE): no margin, so the best
    # one is answered and the other is offered below it (shipped close_call: answer)
    reply = action_server.run("Thủ tục đăng ký kết hôn gồm những gì?")
    answer, related = reply["responses"]
    slots = _slots(reply)
    assert answer["turn"]["decision"] == "answer"
    assert slots["faq_id"] in {"hcc-ket-hon", "hcc-ket-hon-nuoc-ngoai"}
    assert slots["fallback"] is False
    assert related["text"] == "Có thể bạn cũng cần:"
    other = ({"hcc-ket-hon", "hcc-ket-hon-nuoc-ngoai"} - {slots["faq_id"]}).pop()
    assert other in [s["faq_id"] for s in slots["suggestions"]]
    for button, suggestion in zip(related["buttons"], slots["suggestions"], strict=True):
        assert button["payload"] == f'/ask_faq{{"faq_id":"{suggestion["faq_id"]}"}}'
        assert button["title"] == suggestion["title"]


def test_out_of_scope_intent_keeps_its_reply_without_strong_faq_evidence(
    action_server: FaqActions,
) -> None:
    reply = action_server.run("Cách nấu phở bò ngon như ngoài hàng?", intent="out_of_scope")
    assert reply["responses"][0]["response"] == "utter_out_of_scope"
    assert _slots(reply)["fallback"] is True


def test_out_of_scope_intent_is_overruled_by_an_exact_faq_question(
    action_server: FaqActions,
) -> None:
    reply = action_server.run("Đăng ký khai sinh cho con cần giấy tờ gì?", intent="out_of_scope")
    assert _slots(reply)["faq_id"] == "hcc-khai-sinh"
    assert reply["responses"][0]["text"].startswith("Cần tờ khai, giấy chứng sinh")


def test_indicator_handover_without_faq_evidence_says_no_indicator_was_recognised(
    action_server: FaqActions,
) -> None:
    reply = action_server.run("hôm nay ăn gì cho ngon", intent="ask_indicator")
    assert "chưa nhận ra chỉ tiêu" in reply["responses"][0]["text"]
    assert _slots(reply)["fallback"] is True


def test_edit_goes_live_within_ten_seconds(action_server: FaqActions) -> None:
    question = "Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu?"
    assert "đại lý thu BHXH" in action_server.run(question)["responses"][0]["text"]
    path = action_server.faq_dir / "y_te.yml"
    new_text = Y_TE.replace("hoặc đại lý thu BHXH.", "hoặc qua ứng dụng VssID.")
    tmp = path.with_suffix(".yml.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    edited = time.perf_counter()
    os.replace(tmp, path)  # how editors and `faq publish` save: atomic rename
    while True:
        text = action_server.run(question)["responses"][0]["text"]
        if "VssID" in text:
            break
        assert time.perf_counter() - edited < 30, action_server.log.read_text()[-2000:]
        time.sleep(0.2)
    seconds = time.perf_counter() - edited
    print(f"edit→live: {seconds:.2f} s")
    assert seconds <= 10


def test_staff_entry_needs_a_valid_signed_role_token(action_server: FaqActions) -> None:
    token = mint_claim("test-user", SECRET, ttl_s=600, subject="staff-1")
    staff = action_server.run(STAFF_QUESTION, metadata={"channel": "web", "role_token": token})
    assert _slots(staff)["faq_id"] == "yte-bao-cao-dich-noi-bo"
    assert "Thông tư 54/2015/TT-BYT" in staff["responses"][0]["text"]
    forged = mint_claim("test-user", "not-the-secret-0123456789abcdef0123", ttl_s=600)
    replayed = mint_claim("another-user", SECRET, ttl_s=600)
    for metadata in (
        {"channel": "web", "role_token": forged},
        {"channel": "web", "role": "staff"},
        {"channel": "web", "role_token": replayed},
    ):
        reply = action_server.run(STAFF_QUESTION, metadata=metadata)
        slots = _slots(reply)
        assert slots["faq_id"] != "yte-bao-cao-dich-noi-bo"
        assert "yte-bao-cao-dich-noi-bo" not in {s["faq_id"] for s in slots["suggestions"]}
        assert "54/2015" not in reply["responses"][0]["text"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"next_action": "action_answer_faq"}', 400),
        (b'["a", "list"]', 400),
        (b'{"next_action": "action_unknown", "tracker": {}}', 404),
    ],
)
def test_malformed_webhook_calls_get_4xx(
    action_server: FaqActions, body: bytes, status: int
) -> None:
    response = httpx.post(
        f"{action_server.url}/webhook",
        content=body,
        headers={"Content-Type": "application/json"},
        params={"token": ACTIONS_TOKEN},
        timeout=30,
    )
    assert response.status_code == status


@pytest.mark.parametrize("params", [{}, {"token": ""}, {"token": "wrong"}, {"token": "ắ"}])
def test_calls_without_rasas_token_are_refused(
    action_server: FaqActions, params: dict[str, str]
) -> None:
    body = {"next_action": "action_answer_faq", "tracker": {}, "sender_id": "x"}
    call = httpx.post(f"{action_server.url}/webhook", json=body, params=params, timeout=30)
    listing = httpx.get(f"{action_server.url}/actions", params=params, timeout=30)
    assert (call.status_code, listing.status_code) == (401, 401), call.text
    assert httpx.get(f"{action_server.url}/health", timeout=30).status_code == 200


def test_staff_figure_question_the_nlu_missed_goes_to_the_indicator_action(
    action_server: FaqActions,
) -> None:
    # the classifier said out_of_scope; the FAQ has no evidence; the catalog knows the figure
    token = mint_claim("test-user", SECRET, ttl_s=600, subject="staff-1")
    metadata = {"channel": "web", "role_token": token}
    reply = action_server.run("thu ngân sách lũy kế", metadata=metadata, intent="out_of_scope")
    assert reply["responses"] == []
    assert {"event": "followup", "timestamp": None, "name": "action_query_indicator"} in reply[
        "events"
    ]
    citizen = action_server.run("thu ngân sách lũy kế", intent="out_of_scope")
    assert citizen["responses"][0]["response"] == "utter_out_of_scope"


def test_staff_figure_question_goes_to_the_indicator_before_the_faq(
    action_server: FaqActions,
) -> None:
    # the classifier said ask_faq and the FAQ has an entry on the same topic (dengue at home);
    # a staff member asking "how many, last month" wants the IOC's figure
    token = mint_claim("test-user", SECRET, ttl_s=600, subject="staff-1")
    metadata = {"channel": "web", "role_token": token}
    text = "số ca sốt xuất huyết tháng trước là bao nhiêu"
    followup = {"event": "followup", "timestamp": None, "name": "action_query_indicator"}
    staff = action_server.run(text, metadata=metadata)
    assert staff["responses"] == []
    assert followup in staff["events"]
    # a procedure question from the same staff member stays with the FAQ
    procedure = action_server.run("phòng sốt xuất huyết tại nhà thế nào", metadata=metadata)
    assert followup not in procedure["events"]
    assert _slots(procedure)["faq_id"] == "yte-sot-xuat-huyet"
    # a citizen asking the same figure question is not sent sideways by this rule
    citizen = action_server.run(text)
    assert followup not in citizen["events"]
    assert citizen["responses"]
