"""SentenceEncoderFeaturizer: the multilingual e5 sentence vector as DIET's dense features.

The word and character counts DIET learns from only know the words of the 1,500 training lines;
a citizen who says the same thing in other words lands on whichever intent shares most of them.
The e5 encoder (the same ONNX export the FAQ retrieval uses, ``make index`` builds it) was
pre-trained on many languages' paraphrases, so its vector of the whole message carries meaning
the counts cannot. It is added as a sentence-level dense feature next to the sparse ones.

Runs on onnxruntime + the folder's ``tokenizer.json`` only (no torch in the Rasa runtime):
mean pooling over the last hidden state, L2-normalised, the e5 ``query: `` prefix. Training reads
the folder from ``ASSISTANT_NLU_ENCODER_DIR`` (``scripts/model.sh`` sets it from
``python -m tools.nlu_encoder``) and stores it in the model with the weights' digest; a model
never runs on other weights than it was trained with (a clear error says to retrain).
"""

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from settings.rasa import load_rasa_settings
from vitext import expand_abbreviations, load_abbreviations, nfc

__all__ = ["OnnxSentenceEncoder", "SentenceEncoderFeaturizer", "weights_digest"]


class OnnxSentenceEncoder:
    """Mean-pooled, L2-normalised sentence vectors of an ONNX-exported transformer.

    Unlike the FAQ encoder (up to 512 tokens for long passages) a message is cut at
    ``max_tokens``: the intent lies in its first sentences and every turn pays for the length.
    """

    def __init__(self, onnx_file: Path, tokenizer_file: Path, *, max_tokens: int = 128) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        for path in (onnx_file, tokenizer_file):
            if not path.is_file():
                raise InvalidConfigException(
                    f"{path} is missing; run `make model` (python -m tools.nlu_encoder converts "
                    "the e5 model and exports it to ONNX)"
                )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_tokens)
        pad_id = self._tokenizer.token_to_id("<pad>")
        self._tokenizer.enable_padding(pad_id=pad_id or 0, pad_token="<pad>")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def encode(self, texts: List[str], batch_size: int = 32) -> np.ndarray:
        out = []
        for start in range(0, len(texts), batch_size):
            batch = self._tokenizer.encode_batch(texts[start : start + batch_size])
            ids = np.array([e.ids for e in batch], dtype=np.int64)
            mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feeds["token_type_ids"] = np.zeros_like(ids)
            (hidden,) = self._session.run(["last_hidden_state"], feeds)
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out.append(pooled)
        vectors = np.vstack(out).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def weights_digest(folder: Path) -> str:
    """The digest of the weights the folder's ONNX file was exported from ('' when unknown)."""
    try:
        meta = json.loads((folder / "onnx" / "export.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(meta.get("source") or "")


def _open_encoder(folder: Path, expected_digest: Optional[str] = None) -> OnnxSentenceEncoder:
    digest = weights_digest(folder)
    if not digest:
        raise InvalidConfigException(
            f"{folder / 'onnx' / 'export.json'} is missing or unreadable; run `make model` "
            "(python -m tools.nlu_encoder exports the encoder) or set ASSISTANT_NLU_ENCODER_DIR"
        )
    if expected_digest is not None and digest != expected_digest:
        raise InvalidConfigException(
            f"the NLU model was trained with other encoder weights than {folder} holds; "
            "retrain it (`make model`)"
        )
    return OnnxSentenceEncoder(folder / "onnx" / "model.onnx", folder / "tokenizer.json")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the e5 vector of the message text as a dense sentence feature."""

    META_FILE = "encoder.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # the e5 models want their role in front of the text
            "prefix": "query: ",
            # expand data/lexicon/abbreviations.yml first (bhyt → bảo hiểm y tế), as retrieval does
            "abbreviations": True,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if not isinstance(config.get("prefix", ""), str):
            raise InvalidConfigException("SentenceEncoderFeaturizer: 'prefix' must be text")
        if not isinstance(config.get("abbreviations", True), bool):
            raise InvalidConfigException("SentenceEncoderFeaturizer: 'abbreviations' is true/false")

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
        folder: Path,
        encoder: OnnxSentenceEncoder,
    ) -> None:
        super().__init__(name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._folder = folder
        self._encoder = encoder
        self._prefix = str(config.get("prefix", ""))
        self._abbreviations: Optional[Dict[str, str]] = (
            load_abbreviations(load_rasa_settings().lexicon_dir / "abbreviations.yml")
            if config.get("abbreviations", True)
            else None
        )

    @staticmethod
    def _configured_folder() -> Path:
        folder = load_rasa_settings().nlu_encoder_dir
        if not folder:
            raise InvalidConfigException(
                "ASSISTANT_NLU_ENCODER_DIR is not set: train through `make model` / "
                "scripts/model.sh (it runs python -m tools.nlu_encoder)"
            )
        return Path(folder)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        folder = cls._configured_folder()
        return cls(
            config,
            execution_context.node_name,
            model_storage,
            resource,
            folder,
            _open_encoder(folder),
        )

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        with model_storage.read_from(resource) as path:
            meta = json.loads((path / cls.META_FILE).read_text(encoding="utf-8"))
        # a deployment that keeps the encoder elsewhere points at it; the weights must match
        override = load_rasa_settings().nlu_encoder_dir
        folder = Path(override or meta["folder"])
        encoder = _open_encoder(folder, expected_digest=str(meta["digest"]))
        return cls(config, execution_context.node_name, model_storage, resource, folder, encoder)

    def train(self, training_data: TrainingData) -> Resource:
        """Nothing is learnt; the model remembers which encoder weights its features came from."""
        with self._model_storage.write_to(self._resource) as path:
            meta = {"folder": str(self._folder.resolve()), "digest": weights_digest(self._folder)}
            (path / self.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        return self._resource

    def _text(self, message: Message) -> Optional[str]:
        text = message.get(TEXT)
        if not text:
            return None
        text = nfc(str(text))
        if self._abbreviations:
            text = expand_abbreviations(text, self._abbreviations)
        return f"{self._prefix}{text}"

    def _featurize(self, messages: List[Message]) -> None:
        todo = [(m, t) for m in messages if (t := self._text(m))]
        if not todo:
            return
        vectors = self._encoder.encode([t for _, t in todo])
        for (message, _), vector in zip(todo, vectors, strict=True):
            self.add_features_to_message(None, vector[None, :], TEXT, message)

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
