"""ChitchatGuard on real Rasa Message objects with the shipped data/lexicon/chitchat.yml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message

from assistant.nlu import ChitchatGuard
from assistant.nlu.chitchat import ChitchatCues, load_chitchat_cues
from settings.defaults import DATA_DIR


def _create(tmp_path: Path, **config: Any) -> ChitchatGuard:
    return ChitchatGuard.create(
        {**ChitchatGuard.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("chitchat_guard"),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> ChitchatGuard:
    return _create(tmp_path_factory.mktemp("storage"))


def _intent_after(guard: ChitchatGuard, text: str, intent: str) -> dict[str, Any]:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.97}})
    guard.process([message])
    return dict(message.get("intent"))


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("chào bạn", "greet"),
        ("hello ad", "greet"),
        ("cam on nhieu nha", "thank"),
        ("tks ad", "thank"),
        ("bye nhé", "goodbye"),
        ("bạn là robot hả", "bot_challenge"),
        ("ban la ai", "bot_challenge"),
        ("cho tôi gặp cán bộ", "human_handoff"),
        ("chuyen qua nguoi that di", "human_handoff"),
    ],
)
def test_small_talk_with_its_cue_words_is_kept(
    guard: ChitchatGuard, text: str, intent: str
) -> None:
    assert _intent_after(guard, text, intent) == {"name": intent, "confidence": 0.97}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("số 115 là số gì", "bot_challenge"),
        ("chuyển trường cấp 2 cho con", "human_handoff"),
        ("bãi Dâu", "goodbye"),
        ("núi Lớn", "greet"),
        ("cách làm giả con dấu", "human_handoff"),
        ("tiểu sử một ca sĩ nổi tiếng", "thank"),
        # a small-talk cue ("ban", "may", "ad", "nguoi", "mot cua") inside a service question
        ("vé xe buýt ra Long Hải bán ở đâu bạn", "bot_challenge"),
        ("ad ơi nhờ người nhà đi lấy kết quả hồ sơ được hông", "human_handoff"),
        ("công nhân may bị nghỉ việc thì làm thủ tục gì", "bot_challenge"),
        ("số điện thoại bộ phận một cửa là số mấy", "human_handoff"),
    ],
)
def test_small_talk_intent_without_cue_words_or_with_a_question_goes_to_the_faq(
    guard: ChitchatGuard, text: str, intent: str
) -> None:
    assert _intent_after(guard, text, intent) == {"name": "nlu_fallback", "confidence": 0.97}


def test_other_intents_are_left_alone(guard: ChitchatGuard) -> None:
    assert _intent_after(guard, "thu ngân sách tháng trước", "ask_indicator")["name"] == (
        "ask_indicator"
    )


def _small_talk_examples(cues: ChitchatCues) -> list[tuple[str, str]]:
    """(intent, text) of every training example of a guarded small-talk intent."""
    data = yaml.safe_load((DATA_DIR / "nlu" / "nlu.yml").read_text(encoding="utf-8"))
    return [
        (block["intent"], line.strip()[2:])
        for block in data["nlu"]
        if cues.guards(block.get("intent"))
        for line in block["examples"].splitlines()
        if line.strip().startswith("- ")
    ]


def test_every_training_example_of_a_small_talk_intent_has_a_cue_and_no_question() -> None:
    cues = load_chitchat_cues(DATA_DIR / "lexicon" / "chitchat.yml")
    assert cues.questions is not None
    examples = _small_talk_examples(cues)
    assert len(examples) > 250
    missing = [f"{i}: {t}" for i, t in examples if not cues.has_cue(i, t)]
    assert not missing, "add a cue to data/lexicon/chitchat.yml or reword:\n" + "\n".join(missing)
    asking = [f"{i}: {t}" for i, t in examples if cues.asks_service(t)]
    assert not asking, "small talk would be sent to the FAQ; reword or narrow 'questions':\n" + (
        "\n".join(asking)
    )


def test_cue_list_read_as_booleans_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "chitchat.yml"
    bad.write_text("intents:\n  goodbye: [bye, off]\n", encoding="utf-8")
    with pytest.raises(InvalidConfigException, match="goodbye"):
        load_chitchat_cues(bad)


def test_a_bad_question_list_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "chitchat.yml"
    bad.write_text("intents:\n  greet: [chao]\nquestions: o dau\n", encoding="utf-8")
    with pytest.raises(InvalidConfigException, match="'questions'"):
        load_chitchat_cues(bad)


def test_unknown_option_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidConfigException, match="unknown option"):
        _create(tmp_path, colour="red")
