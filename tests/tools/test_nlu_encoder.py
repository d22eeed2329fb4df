"""The NLU's sentence vectors (Rasa runtime) equal the FAQ search's query vectors (services).

``assistant.nlu.sentence_featurizer.OnnxSentenceEncoder`` re-implements the few lines of mean
pooling of ``retrieval.onnx_model.OnnxSentenceModel``, because the Rasa runtime cannot import
``retrieval`` (pydantic 2 settings, services packages). This test runs the Rasa runtime's encoder
in its own interpreter on the folder ``tools.nlu_encoder`` prints and compares the vectors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.onnx_model import OnnxSentenceModel
from tests.stack import rasa_python

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [
    "Gia hạn thẻ bảo hiểm y tế hộ gia đình ở đâu?",
    "thu tuc lam giay khai sinh cho con",
    "Which beach in Vung Tau is safe for swimming?",
    "cháy nhà ở phường 7, cứu với",
]


def _nlu_encoder_folder() -> Path:
    done = subprocess.run(
        [sys.executable, "-m", "tools.nlu_encoder"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, lines  # stdout is the folder alone (scripts/model.sh reads it)
    return Path(lines[0])


@pytest.fixture(scope="module")
def folder() -> Path:
    path = _nlu_encoder_folder()
    assert (path / "onnx" / "model.onnx").is_file()
    assert (path / "tokenizer.json").is_file()
    return path


def test_prints_one_folder_and_is_idempotent(folder: Path) -> None:
    exported = (folder / "onnx" / "model.onnx").stat().st_mtime_ns
    assert _nlu_encoder_folder() == folder
    # a second run reuses the export instead of writing it again
    assert (folder / "onnx" / "model.onnx").stat().st_mtime_ns == exported


def test_rasa_runtime_vectors_equal_the_faq_encoders(folder: Path) -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from assistant.nlu.sentence_featurizer import OnnxSentenceEncoder\n"
        "folder = Path(sys.argv[1])\n"
        "enc = OnnxSentenceEncoder(folder / 'onnx' / 'model.onnx', folder / 'tokenizer.json')\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps(enc.encode(texts).tolist()))\n"
    )
    texts = [f"query: {s}" for s in SENTENCES]
    done = subprocess.run(
        [rasa_python(), "-c", script, str(folder)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    nlu = np.array(json.loads(done.stdout.strip().splitlines()[-1]), dtype=np.float32)
    faq = OnnxSentenceModel(folder, backend="onnx").encode(SENTENCES, prompt="query: ")
    assert nlu.shape == faq.shape == (len(SENTENCES), 384)
    cosines = (nlu * faq).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
