"""The ONNX encoder backend against the torch one: same vectors, same top hits, clear errors.

The export (`tools.encoder_onnx`) is written once into the shared converted-model folder and
reused by later runs (about a minute on 2 cores the first time).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.encoder import Encoder, load_encoder
from retrieval.errors import EncoderError
from retrieval.onnx_model import EXPORT_FILE, OnnxSentenceModel, onnx_path
from retrieval.search import FaqSearcher
from settings.services import PathSettings, RetrievalSettings
from tests.retrieval.faq_samples import sample_index
from tests.retrieval.test_encoder import SENTENCES
from tools.encoder_onnx import export
from vitext import load_abbreviations

QUERIES = [
    "Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu?",
    "the bao hiem y te gia dinh sap het han gia han cho nao",
    "bé mới sinh cần tiêm những mũi vắc xin nào",
    "thu tuc lam giay khai sinh cho con",
    "muon dang ky ket hon can lam gi",
    "đăng ký kết hôn cần giấy tờ gì",
]


@pytest.fixture(scope="module")
def torch_encoder(retrieval_settings: RetrievalSettings, paths: PathSettings) -> Encoder:
    settings = retrieval_settings.model_copy(update={"encoder_backend": "torch"})
    return load_encoder(settings, models_dir=paths.models_dir)


@pytest.fixture(scope="module")
def onnx_encoder(
    retrieval_settings: RetrievalSettings, paths: PathSettings, converted_model_dir: Path
) -> Encoder:
    export(converted_model_dir, "onnx")
    settings = retrieval_settings.model_copy(update={"encoder_backend": "onnx"})
    return load_encoder(settings, models_dir=paths.models_dir)


def test_onnx_vectors_equal_torch_vectors(torch_encoder: Encoder, onnx_encoder: Encoder) -> None:
    want, got = torch_encoder.encode(SENTENCES), onnx_encoder.encode(SENTENCES)
    assert got.shape == want.shape
    assert got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(want * got, axis=1))) > 0.9999
    # a batch gives the rows one-by-one encoding gives (padding does not leak into the mean)
    alone = np.vstack([onnx_encoder.encode([s]) for s in SENTENCES[:4]])
    assert np.allclose(alone, got[:4], atol=1e-5)


def test_onnx_backend_returns_the_same_top_hits(
    torch_encoder: Encoder, onnx_encoder: Encoder, tmp_path_factory: pytest.TempPathFactory
) -> None:
    abbreviations = load_abbreviations()
    ranked = []
    for enc in (torch_encoder, onnx_encoder):
        corpus, index = sample_index(enc, tmp_path_factory.mktemp("faq"))
        searcher = FaqSearcher(corpus, index, enc, abbreviations=abbreviations)
        ranked.append([[h.faq_id for h in searcher.search(q).hits[:3]] for q in QUERIES])
    assert ranked[0] == ranked[1]


def test_backend_is_part_of_the_model_id(torch_encoder: Encoder, onnx_encoder: Encoder) -> None:
    # an index embedded by torch is re-embedded, not mixed, when the backend changes
    assert "backend=onnx" in onnx_encoder.model_id
    assert "backend=" not in torch_encoder.model_id
    assert onnx_encoder.dim == torch_encoder.dim
    assert onnx_encoder.max_seq_length == torch_encoder.max_seq_length


def test_missing_export_names_the_command(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"tools\.encoder_onnx --backend onnx-int8"):
        OnnxSentenceModel(tmp_path, backend="onnx-int8")


def test_export_from_other_weights_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"new weights")
    onnx_path(tmp_path, "onnx").parent.mkdir()
    onnx_path(tmp_path, "onnx").write_bytes(b"")
    (tmp_path / "onnx" / EXPORT_FILE).write_text(json.dumps({"source": "old weights"}))
    with pytest.raises(EncoderError, match=r"other weights.*--force"):
        OnnxSentenceModel(tmp_path, backend="onnx")


def test_export_of_a_folder_without_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EncoderError, match=r"no model\.safetensors"):
        export(tmp_path, "onnx")


def test_token_counts_match_torch_and_are_not_truncated(
    torch_encoder: Encoder, onnx_encoder: Encoder
) -> None:
    # passage splitting counts what a text really holds, whatever the backend
    long_text = " ".join(SENTENCES * 20)
    counts = [enc.count_tokens(long_text) for enc in (torch_encoder, onnx_encoder)]
    assert counts[0] == counts[1] > onnx_encoder.max_seq_length
    assert torch_encoder.token_ids("xin chào") == onnx_encoder.token_ids("xin chào")
