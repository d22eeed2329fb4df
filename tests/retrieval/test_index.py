"""FAISS index: stable ids, folded copies, atomic persistence, incremental re-embedding, HNSW."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from retrieval.corpus import load_corpus
from retrieval.index import FaqIndex, IndexStoreError, vector_id
from tests.retrieval.faq_samples import Y_TE, sample_index, write_corpus
from vitext import fold


class CountingEncoder:
    """The real encoder, recording which texts it was asked to embed."""

    def __init__(self, encoder) -> None:
        self._encoder = encoder
        self.dim, self.model_id = encoder.dim, encoder.model_id
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self._encoder.encode(texts)


@pytest.fixture(scope="module")
def built(encoder, tmp_path_factory):
    return sample_index(encoder, tmp_path_factory.mktemp("faq"))


def test_every_phrasing_and_its_folded_copy_has_a_stable_id(built) -> None:
    corpus, index = built
    entry = corpus.by_id["yte-bhyt-gia-han"]
    rows = {(r.variant, r.text): r.vid for r in index.rows if r.entry_id == entry.id}
    for q in entry.questions:
        assert rows[("orig", q)] == vector_id(entry.id, "orig", q)
        assert rows[("folded", fold(q))] == vector_id(entry.id, "folded", fold(q))
    assert len(index) == 2 * sum(len(e.questions) for e in corpus.entries)
    assert len({r.vid for r in index.rows}) == len(index)
    norms = np.linalg.norm(index.vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_search_groups_phrasings_by_entry(built, encoder) -> None:
    _, index = built
    qvec = encoder.encode(["gia hạn thẻ bảo hiểm y tế ở đâu"])[0]
    hits = index.search(qvec, variant="orig", top_k=3)
    assert hits[0][0] == "yte-bhyt-gia-han"
    assert len({k for k, _ in hits}) == len(hits) == 3
    assert hits[0][1] > hits[1][1]
    folded = index.search(encoder.encode(["gia han the bao hiem y te o dau"])[0], variant="folded")
    assert folded[0][0] == "yte-bhyt-gia-han"


def test_save_swaps_current_atomically_and_load_round_trips(built, tmp_path: Path) -> None:
    _, index = built
    first = index.save(tmp_path)
    second = index.save(tmp_path)
    current = tmp_path / "current"
    assert current.is_symlink()
    assert current.resolve() == second.resolve() != first.resolve()
    assert not list(tmp_path.glob(".tmp-*"))
    manifest = json.loads((current / "manifest.json").read_text())
    assert manifest["model_id"] == index.model_id
    assert manifest["dim"] == index.dim
    assert manifest["corpus_hash"] == index.corpus_hash
    assert manifest["entries"]["yte-bhyt-gia-han"] == index.entry_hashes["yte-bhyt-gia-han"]
    assert manifest["index_kind"] == {"orig": "IndexFlatIP", "folded": "IndexFlatIP"}
    loaded = FaqIndex.load(tmp_path)
    assert loaded.rows == index.rows
    assert np.array_equal(loaded.vectors, index.vectors)


def test_load_without_index_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match=r"python -m tools\.build_index"):
        FaqIndex.load(tmp_path)


def test_rebuild_reembeds_only_changed_entries(built, encoder, tmp_path: Path) -> None:
    _, index = built
    changed = Y_TE.replace("con tôi cần tiêm những vắc xin gì", "bé nhà tôi phải tiêm vắc xin gì")
    write_corpus(tmp_path, {"y_te.yml": changed})
    new_corpus = load_corpus(tmp_path).corpus
    counting = CountingEncoder(encoder)
    rebuilt = FaqIndex.build(new_corpus, counting, previous=index)
    entry = new_corpus.by_id["yte-tiem-chung-tre-em"]
    assert "bé nhà tôi phải tiêm vắc xin gì" in entry.questions
    assert set(counting.seen) == {t for q in entry.questions for t in (q, fold(q))}
    assert len(rebuilt) == 2 * sum(len(e.questions) for e in new_corpus.entries)
    assert rebuilt.corpus_hash != index.corpus_hash
    assert set(rebuilt.entry_hashes) == {e.id for e in new_corpus.entries}


def test_large_indexes_switch_to_hnsw(built, encoder) -> None:
    corpus, index = built
    hnsw = FaqIndex(
        index.rows,
        index.vectors,
        model_id=index.model_id,
        dim=index.dim,
        entry_hashes=index.entry_hashes,
        built_at=index.built_at,
        hnsw_min=10,
    )
    assert hnsw.manifest()["index_kind"] == {"orig": "IndexHNSWFlat", "folded": "IndexHNSWFlat"}
    qvec = encoder.encode(["lịch tiêm chủng cho trẻ"])[0]
    assert hnsw.search(qvec)[0][0] == index.search(qvec)[0][0] == "yte-tiem-chung-tre-em"
    assert len(corpus.entries) == 7
