"""tools.evaluation.faq_devset: evaluating another encoder leaves the checkout's index alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from retrieval.index import FaqIndex
from settings.services import get_settings
from tests.retrieval.faq_samples import write_corpus
from tools.evaluation.faq_devset import build_searcher


class HashEncoder:
    """Deterministic unit vectors from a hash of (model, text): no model download."""

    dim = 8

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id

    def encode(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = hashlib.sha256(f"{self.model_id}\n{text}".encode()).digest()
            v = np.random.default_rng(int.from_bytes(seed[:8], "little")).normal(size=self.dim)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)


def test_another_models_index_goes_to_the_cache_not_the_checkout(tmp_path: Path) -> None:
    settings = get_settings()
    paths = settings.paths.model_copy(
        update={
            "faq_dir": write_corpus(tmp_path / "faq"),
            "faq_index_dir": tmp_path / "faq_index",
        }
    )
    settings = settings.model_copy(update={"paths": paths})
    cache = tmp_path / "cache"
    live = paths.faq_index_dir

    build_searcher(settings, HashEncoder("base"), cache)  # no index yet: the checkout's is built
    assert FaqIndex.load(live).model_id == "base"
    first = (live / "current").resolve()

    searcher, _ = build_searcher(settings, HashEncoder("adapted"), cache)
    assert searcher.index.model_id == "adapted"
    assert (live / "current").resolve() == first  # the bot's index is not swapped
    (kept,) = cache.glob("own-index-*")
    assert FaqIndex.load(kept).model_id == "adapted"
    saved = (kept / "current").resolve()

    again, _ = build_searcher(settings, HashEncoder("adapted"), cache)  # reused, not re-saved
    assert (kept / "current").resolve() == saved
    assert np.array_equal(again.index.vectors, searcher.index.vectors)

    build_searcher(settings, HashEncoder("base"), cache)  # unchanged corpus, same model
    assert (live / "current").resolve() == first
