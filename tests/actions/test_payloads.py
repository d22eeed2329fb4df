"""Button payloads: built in one place, read back robustly (bad input is no choice, no error)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from actions.indicators import choice_payload
from actions.payloads import MAX_PAYLOAD_CHARS, chosen_entities, intent_payload, metadata_of
from ioc import periods as P
from ioc.reply import IndicatorChoice


def test_intent_payload_is_compact_json_keeping_vietnamese() -> None:
    assert (
        intent_payload("ask_faq", {"faq_id": "hcc-ket-hon"}) == '/ask_faq{"faq_id":"hcc-ket-hon"}'
    )
    assert intent_payload("ask_faq", {"q": "Đăng ký"}) == '/ask_faq{"q":"Đăng ký"}'
    assert intent_payload("greet", {}) == "/greet"
    with pytest.raises(ValueError, match="intent 'ask faq'"):
        intent_payload("ask faq", {})


def test_indicator_choice_becomes_a_payload_that_keeps_period_and_area() -> None:
    choice = IndicatorChoice("dossiers_overdue", "Số hồ sơ trễ hạn", "phu_my", P.month(2024, 5))
    assert choice_payload(choice) == (
        '/ask_indicator{"indicator_code":"dossiers_overdue","area_code":"phu_my",'
        '"period":"month:2024-05-01:2024-05-31"}'
    )
    latest = IndicatorChoice("cpi", "CPI", "brvt", None)
    assert choice_payload(latest) == '/ask_indicator{"indicator_code":"cpi","area_code":"brvt"}'


def test_payload_round_trip_through_the_text_and_through_rasa_entities() -> None:
    entities = {"indicator_code": "tourism_revenue", "area_code": "con_dao", "period": "year:2023"}
    payload = intent_payload("ask_indicator", entities)
    assert chosen_entities({"text": payload}, "ask_indicator") == entities
    parsed = [{"entity": k, "value": v} for k, v in entities.items()]
    assert chosen_entities({"text": payload, "entities": parsed}, "ask_indicator") == entities


def test_rasa_entities_win_over_the_payload_text() -> None:
    message = {
        "text": '/ask_faq{"faq_id":"from-text"}',
        "entities": [{"entity": "faq_id", "value": "from-rasa"}],
    }
    assert chosen_entities(message, "ask_faq") == {"faq_id": "from-rasa"}


DEEP = "/ask_faq" + "[" * 1500 + "]" * 1500


@pytest.mark.parametrize(
    "message",
    [
        {"text": "Thủ tục đăng ký kết hôn gồm những gì?"},
        {"text": '/ask_indicator{"faq_id":"x"}'},  # another intent's payload
        {"text": '/ask_faq{"faq_id":"x"'},  # unclosed JSON
        {"text": '/ask_faq{"faq_id": x}'},  # not JSON
        {"text": "/ask_faq[1, 2]"},
        {"text": '/ask_faq{"faq_id": {"nested": 1}}'},
        {"text": '/ask_faq{"faq_id": ""}'},
        {"text": '/ask_faq{"faq_id": null}'},
        {"text": '/ask_faq{"faq_id":"' + "x" * MAX_PAYLOAD_CHARS + '"}'},  # oversized
        {"text": DEEP},
        {"text": "/ask_faq{" + '"a":' * 3000 + "1}"},
        {"text": None},
        {"text": 42},
        {"text": "hello", "entities": [{"entity": "faq_id", "value": "x"}]},  # not a payload
        {},
    ],
    ids=lambda m: repr(m.get("text"))[:30],
)
def test_malformed_or_foreign_input_is_no_choice(message: dict[str, Any]) -> None:
    assert chosen_entities(message, "ask_faq") == {}


def test_malformed_rasa_entities_fall_back_to_the_payload_json() -> None:
    text = '/ask_faq{"faq_id":"hcc-ket-hon"}'
    for entities in ("oops", [1, None, "x"], [{"entity": None, "value": "v"}], [{"entity": "e"}]):
        message = {"text": text, "entities": entities}
        assert chosen_entities(message, "ask_faq") == {"faq_id": "hcc-ket-hon"}


def test_json_with_unicode_escapes_and_spaces_is_read() -> None:
    text = "  /ask_faq " + json.dumps({"faq_id": "đất-đai", "n": 3}) + "  "
    assert chosen_entities({"text": text}, "ask_faq") == {"faq_id": "đất-đai", "n": "3"}


@pytest.mark.parametrize("metadata", [None, "web", ["a"], 3])
def test_malformed_metadata_reads_as_empty(metadata: Any) -> None:
    assert metadata_of({"metadata": metadata}) == {}
    assert metadata_of({"metadata": {"channel": "web"}}) == {"channel": "web"}
