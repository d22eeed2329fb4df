"""The fast encoder path: a sentence-transformers folder's transformer run by onnxruntime.

``tools.encoder_onnx`` exports the folder's transformer once, offline, to
``<model>/onnx/model.onnx`` (and a weight-only int8 copy, ``model_int8.onnx``); at run time this
module needs only onnxruntime and the folder's ``tokenizer.json``. :class:`OnnxSentenceModel` offers
the part of ``SentenceTransformer``'s interface that :class:`retrieval.encoder.Encoder` uses, with
the folder's own pooling (mean or CLS) and L2 normalisation, so both backends give the same vectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import EncoderError
from retrieval.models import source_digest

__all__ = ["EXPORT_FILE", "ONNX_FILES", "OnnxSentenceModel", "onnx_path"]

ONNX_FILES = {"onnx": "model.onnx", "onnx-int8": "model_int8.onnx"}
EXPORT_FILE = "export.json"  # provenance next to the .onnx files: the weights they came from


def onnx_path(model_dir: Path, backend: str) -> Path:
    """Where the exported file of ``backend`` ('onnx' or 'onnx-int8') lives in ``model_dir``."""
    return Path(model_dir) / "onnx" / ONNX_FILES[backend]


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EncoderError(
            f"cannot read {path}: {exc}; is this a sentence-transformers folder?"
        ) from exc
    if not isinstance(data, dict):
        raise EncoderError(f"{path} is not a JSON object; is this a sentence-transformers folder?")
    return data


class OnnxSentenceModel:
    """Tokenizer + onnxruntime session + pooling + normalisation of one model folder."""

    def __init__(self, model_dir: Path, *, backend: str = "onnx", threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = Path(model_dir)
        path = onnx_path(model_dir, backend)
        export = model_dir / "onnx" / EXPORT_FILE
        if not path.is_file() or not export.is_file():
            raise EncoderError(
                f"{path} is missing; export it with `python -m tools.encoder_onnx --backend "
                f"{backend}` (`make index` does it when ASSISTANT_ENCODER_BACKEND={backend})"
            )
        if _read_json(export).get("source") != source_digest(model_dir):
            raise EncoderError(
                f"{path} was exported from other weights than {model_dir}'s; re-export with "
                f"`python -m tools.encoder_onnx --backend {backend} --force`"
            )
        pooling = _read_json(model_dir / "1_Pooling" / "config.json")
        # sentence-transformers < 5 writes one flag per mode; 5.x (an adapted model) one name
        mode = pooling.get("pooling_mode")
        if pooling.get("pooling_mode_mean_tokens") or mode == "mean":
            self._pooling = "mean"
        elif pooling.get("pooling_mode_cls_token") or mode == "cls":
            self._pooling = "cls"
        else:
            raise EncoderError(
                f"{model_dir}: only mean or CLS pooling run on the ONNX backend; "
                "use ASSISTANT_ENCODER_BACKEND=torch for this model"
            )
        self._dim = int(pooling.get("word_embedding_dimension") or pooling["embedding_dimension"])
        st_config = _read_json(model_dir / "sentence_bert_config.json")
        self.max_seq_length = int(st_config.get("max_seq_length") or 512)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._counter.no_truncation()  # counts what a passage really holds
        self._counter.no_padding()
        self._tokenizer.enable_truncation(self.max_seq_length)
        special = model_dir / "special_tokens_map.json"
        if not special.is_file():  # sentence-transformers 5.x keeps it in the tokenizer config
            special = model_dir / "tokenizer_config.json"
        pad = _read_json(special).get("pad_token")
        pad_token = pad.get("content") if isinstance(pad, dict) else pad
        pad_id = self._tokenizer.token_to_id(str(pad_token)) if pad_token else None
        self._tokenizer.enable_padding(pad_id=pad_id or 0, pad_token=str(pad_token or "[PAD]"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EncoderError(
                f"onnxruntime cannot load {path}: {exc}; re-export with "
                f"`python -m tools.encoder_onnx --backend {backend} --force`"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}

    def get_embedding_dimension(self) -> int:
        return self._dim

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` untruncated (special tokens included)."""
        return len(self._counter.encode(text).ids)

    def token_ids(self, text: str) -> list[int]:
        """The model's token ids of ``text`` (special tokens included, truncated)."""
        return list(self._tokenizer.encode(text).ids)

    def eval(self) -> OnnxSentenceModel:
        return self

    def encode(
        self,
        texts: Sequence[str],
        *,
        prompt: str | None = None,
        batch_size: int = 32,
        normalize_embeddings: bool = True,
        **_: object,
    ) -> np.ndarray:
        """Embeddings of ``texts`` (``prompt`` put before each), float32, one row per text."""
        prefixed = [f"{prompt or ''}{t}" for t in texts]
        out = []
        for start in range(0, len(prefixed), batch_size):
            out.append(self._forward(prefixed[start : start + batch_size]))
        vectors = np.vstack(out) if out else np.zeros((0, self._dim), np.float32)
        if normalize_embeddings:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.maximum(norms, 1e-12)
        return vectors.astype(np.float32)

    def _forward(self, texts: list[str]) -> np.ndarray:
        batch = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        if self._pooling == "cls":
            return np.asarray(hidden[:, 0], np.float32)
        weights = mask[..., None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        return np.asarray(summed / np.maximum(weights.sum(axis=1), 1e-9), np.float32)
