"""SentenceEncoderFeaturizer on real Rasa messages with the project's e5 ONNX export.

``make test-rasa`` points ASSISTANT_NLU_ENCODER_DIR at the folder ``python -m tools.nlu_encoder``
prepares (the same one ``scripts/model.sh`` trains with).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.nlu import SentenceEncoderFeaturizer
from assistant.nlu.sentence_featurizer import weights_digest

CONTEXT = ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="module")
def encoder_dir() -> Path:
    folder = os.environ.get("ASSISTANT_NLU_ENCODER_DIR", "")
    assert folder, "run through `make test-rasa` (it sets ASSISTANT_NLU_ENCODER_DIR)"
    return Path(folder)


def _create(storage: Path, **config: Any) -> SentenceEncoderFeaturizer:
    component = SentenceEncoderFeaturizer.create(
        {**SentenceEncoderFeaturizer.get_default_config(), **config},
        LocalModelStorage(storage),
        Resource("sentence_featurizer"),
        CONTEXT,
    )
    assert isinstance(component, SentenceEncoderFeaturizer)
    return component


@pytest.fixture(scope="module")
def featurizer(
    tmp_path_factory: pytest.TempPathFactory, encoder_dir: Path
) -> SentenceEncoderFeaturizer:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSISTANT_NLU_ENCODER_DIR", str(encoder_dir))
        return _create(tmp_path_factory.mktemp("storage"))


def _vector(featurizer: SentenceEncoderFeaturizer, text: str) -> np.ndarray:
    message = Message({TEXT: text})
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None  # one vector for the whole message, no per-token features
    assert sentence is not None
    assert sentence.features.shape == (1, 384)
    return np.asarray(sentence.features[0])


def test_vector_is_normalised_and_carries_meaning(featurizer: SentenceEncoderFeaturizer) -> None:
    lost_card = _vector(featurizer, "mất căn cước công dân thì làm lại ở đâu")
    same_need = _vector(featurizer, "tôi đánh rơi thẻ CCCD, muốn cấp lại")
    other = _vector(featurizer, "giá vé tàu cao tốc ra Côn Đảo bao nhiêu")
    assert np.linalg.norm(lost_card) == pytest.approx(1.0, abs=1e-5)
    # different words, same need: closer than a question of another domain
    assert float(lost_card @ same_need) > float(lost_card @ other) + 0.05


def test_abbreviations_are_expanded_before_encoding(featurizer: SentenceEncoderFeaturizer) -> None:
    short = _vector(featurizer, "gia hạn bhyt ở đâu")
    full = _vector(featurizer, "gia hạn bảo hiểm y tế ở đâu")
    assert float(short @ full) == pytest.approx(1.0, abs=1e-5)


def test_decomposed_unicode_gives_the_same_vector(featurizer: SentenceEncoderFeaturizer) -> None:
    import unicodedata

    text = "Đăng ký khai sinh cho con ở phường"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert float(_vector(featurizer, nfd) @ _vector(featurizer, text)) == pytest.approx(
        1.0, abs=1e-5
    )


def test_a_message_without_text_gets_no_feature(featurizer: SentenceEncoderFeaturizer) -> None:
    message = Message({INTENT: "greet"})
    featurizer.process([message])
    assert message.features == []


def test_trained_model_remembers_the_encoder_and_refuses_other_weights(
    tmp_path: Path, encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_NLU_ENCODER_DIR", str(encoder_dir))
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("sentence_featurizer")
    config = SentenceEncoderFeaturizer.get_default_config()
    trained = SentenceEncoderFeaturizer.create(config, storage, resource, CONTEXT)
    assert isinstance(trained, SentenceEncoderFeaturizer)
    data = TrainingData([Message({TEXT: "xin chào", INTENT: "greet"})])
    trained.train(data)
    trained.process_training_data(data)
    expected = data.training_examples[0].get_dense_features(TEXT)[1]
    with storage.read_from(resource) as path:
        meta = json.loads((path / SentenceEncoderFeaturizer.META_FILE).read_text("utf-8"))
    assert meta == {"folder": str(encoder_dir.resolve()), "digest": weights_digest(encoder_dir)}

    # at run time no setting is needed: the model knows its encoder
    monkeypatch.delenv("ASSISTANT_NLU_ENCODER_DIR")
    loaded = SentenceEncoderFeaturizer.load(config, storage, resource, CONTEXT)
    message = Message({TEXT: "xin chào"})
    loaded.process([message])
    assert np.allclose(message.get_dense_features(TEXT)[1].features, expected.features, atol=1e-6)

    # a copy of the folder whose export names other weights is refused with the fix
    other = tmp_path / "other-encoder"
    (other / "onnx").mkdir(parents=True)
    (other / "tokenizer.json").symlink_to(encoder_dir / "tokenizer.json")
    (other / "onnx" / "model.onnx").symlink_to(encoder_dir / "onnx" / "model.onnx")
    (other / "onnx" / "export.json").write_text(json.dumps({"source": "another"}), "utf-8")
    monkeypatch.setenv("ASSISTANT_NLU_ENCODER_DIR", str(other))
    with pytest.raises(InvalidConfigException, match="retrain"):
        SentenceEncoderFeaturizer.load(config, storage, resource, CONTEXT)


def test_missing_encoder_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_NLU_ENCODER_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(InvalidConfigException, match="make model"):
        _create(tmp_path / "storage")
    monkeypatch.delenv("ASSISTANT_NLU_ENCODER_DIR")
    with pytest.raises(InvalidConfigException, match="ASSISTANT_NLU_ENCODER_DIR"):
        _create(tmp_path / "storage2")


def test_half_exported_folder_is_a_clear_error(
    tmp_path: Path, encoder_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "half"
    (folder / "onnx").mkdir(parents=True)
    shutil.copy(encoder_dir / "onnx" / "export.json", folder / "onnx" / "export.json")
    monkeypatch.setenv("ASSISTANT_NLU_ENCODER_DIR", str(folder))
    with pytest.raises(InvalidConfigException, match=r"model\.onnx is missing"):
        _create(tmp_path / "storage")
