"""FAISS index of every FAQ phrasing (as written, and diacritic-folded) with stable int64 ids.

Persisted under `<index_dir>/v-<stamp>/` with a `current` symlink swapped by `os.replace`, so a
reader never sees a half-written index. The manifest keeps a content hash per entry: a rebuild
re-embeds only entries whose phrasings changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np
from tqdm import tqdm

from retrieval.corpus import Corpus
from retrieval.errors import RetrievalError
from retrieval.passages import PassageSplitter
from vitext import fold

__all__ = [
    "VARIANTS",
    "EncoderLike",
    "FaqIndex",
    "IndexRow",
    "IndexStoreError",
    "make_faiss_index",
    "vector_id",
]

logger = logging.getLogger(__name__)

VARIANTS = ("orig", "folded")
_FORMAT = 1
_KEEP_VERSIONS = 2


class IndexStoreError(RetrievalError):
    """The persisted index is missing, unreadable or built with another model."""


class EncoderLike(Protocol):
    dim: int
    model_id: str

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class IndexRow:
    vid: int
    entry_id: str
    variant: str  # "orig" | "folded"
    text: str


def vector_id(entry_id: str, variant: str, text: str) -> int:
    """Stable non-negative int64 id of one phrasing vector."""
    digest = hashlib.blake2b(f"{entry_id}\0{variant}\0{text}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF_FFFF_FFFF


def make_faiss_index(
    dim: int, size: int, *, hnsw_min: int = 100_000, hnsw_m: int = 32, ef_search: int = 64
) -> faiss.IndexIDMap2:
    """Exact inner product up to `hnsw_min` vectors, HNSW above; both behind IndexIDMap2."""
    if size < hnsw_min:
        inner: faiss.Index = faiss.IndexFlatIP(dim)
    else:
        inner = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efSearch = ef_search
    index = faiss.IndexIDMap2(inner)
    return index


def _embed_rows(
    keyed_texts: Sequence[tuple[str, str]],
    encoder: EncoderLike,
    *,
    rows: list[IndexRow],
    vectors: list[np.ndarray | None],
    variants: Sequence[str],
    splitter: PassageSplitter | None,
    progress: bool,
    batch_size: int,
) -> tuple[list[IndexRow], np.ndarray]:
    """Append one row per (passage, variant) of each keyed text and embed the new rows."""
    todo: dict[str, list[int]] = {}  # text -> positions to fill
    reused = len(rows)
    for key, whole in keyed_texts:
        for passage in splitter.split(whole) if splitter else [whole]:
            for variant in variants:
                text = fold(passage) if variant == "folded" else passage
                rows.append(IndexRow(vector_id(key, variant, text), key, variant, text))
                vectors.append(None)
                todo.setdefault(text, []).append(len(rows) - 1)
    texts = list(todo)
    started = time.perf_counter()
    with tqdm(total=len(texts), desc="FAQ embeddings", unit="q", disable=not progress) as bar:
        for start in range(0, len(texts), batch_size):
            batch = texts[start : start + batch_size]
            encoded = np.asarray(encoder.encode(batch), dtype=np.float32)
            for text, vec in zip(batch, encoded, strict=True):
                for pos in todo[text]:
                    vectors[pos] = vec
            bar.update(len(batch))
    logger.info(
        "FAQ index: %d texts embedded in %.1f s, %d rows reused",
        len(texts),
        time.perf_counter() - started,
        reused,
    )
    filled = [v for v in vectors if v is not None]  # every slot is filled above
    matrix = np.vstack(filled) if filled else np.zeros((0, encoder.dim), np.float32)
    return rows, matrix


def _corpus_hash(entry_hashes: dict[str, str], model_id: str) -> str:
    return hashlib.sha256(json.dumps([model_id, sorted(entry_hashes.items())]).encode()).hexdigest()


class FaqIndex:
    """Vectors of every phrasing, one FAISS index per variant."""

    def __init__(
        self,
        rows: Sequence[IndexRow],
        vectors: np.ndarray,
        *,
        model_id: str,
        dim: int,
        entry_hashes: dict[str, str],
        built_at: str,
        hnsw_min: int = 100_000,
    ) -> None:
        self.rows = tuple(rows)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dim)
        self.model_id, self.dim = model_id, dim
        self.entry_hashes = dict(entry_hashes)
        self.built_at = built_at
        self.corpus_hash = _corpus_hash(self.entry_hashes, model_id)
        self._row_of = {r.vid: i for i, r in enumerate(self.rows)}
        self._rows_of_entry: dict[tuple[str, str], list[int]] = {}
        for i, r in enumerate(self.rows):
            self._rows_of_entry.setdefault((r.entry_id, r.variant), []).append(i)
        self._faiss: dict[str, faiss.IndexIDMap2] = {}
        for variant in VARIANTS:
            picks = [i for i, r in enumerate(self.rows) if r.variant == variant]
            index = make_faiss_index(dim, len(picks), hnsw_min=hnsw_min)
            if picks:
                ids = np.array([self.rows[i].vid for i in picks], dtype=np.int64)
                index.add_with_ids(self.vectors[picks], ids)
            self._faiss[variant] = index

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        encoder: EncoderLike,
        *,
        previous: FaqIndex | None = None,
        progress: bool = False,
        batch_size: int = 64,
        hnsw_min: int = 100_000,
        splitter: PassageSplitter | None = None,
    ) -> FaqIndex:
        """Embed the corpus, reusing `previous` vectors of entries whose phrasings are unchanged.

        With a `splitter`, a phrasing too long for the encoder becomes several passage rows of
        its entry (scored by the best one); short phrasings are left whole.
        """
        reusable: dict[str, list[int]] = {}
        if previous is not None and previous.model_id == encoder.model_id:
            for i, r in enumerate(previous.rows):
                reusable.setdefault(r.entry_id, []).append(i)
        rows: list[IndexRow] = []
        vectors: list[np.ndarray | None] = []
        hashes: dict[str, str] = {}
        fresh: list[tuple[str, str]] = []
        for entry in corpus.entries:
            hashes[entry.id] = entry.content_hash
            old = (
                reusable.get(entry.id)
                if previous is not None
                and previous.entry_hashes.get(entry.id) == entry.content_hash
                else None
            )
            if old and previous is not None:
                for i in old:
                    rows.append(previous.rows[i])
                    vectors.append(previous.vectors[i])
                continue
            fresh.extend((entry.id, q) for q in entry.questions)
        rows, matrix = _embed_rows(
            fresh,
            encoder,
            rows=rows,
            vectors=vectors,
            variants=VARIANTS,
            splitter=splitter,
            progress=progress,
            batch_size=batch_size,
        )
        return cls._fresh(rows, matrix, encoder, hashes, hnsw_min)

    @classmethod
    def from_texts(
        cls,
        keyed_texts: Sequence[tuple[str, str]],
        encoder: EncoderLike,
        *,
        splitter: PassageSplitter | None = None,
        progress: bool = False,
        batch_size: int = 64,
        hnsw_min: int = 100_000,
    ) -> FaqIndex:
        """An index of (key, document) pairs as written (no folded copies), e.g. for evaluations."""
        rows, matrix = _embed_rows(
            keyed_texts,
            encoder,
            rows=[],
            vectors=[],
            variants=("orig",),
            splitter=splitter,
            progress=progress,
            batch_size=batch_size,
        )
        return cls._fresh(rows, matrix, encoder, {}, hnsw_min)

    @classmethod
    def _fresh(
        cls,
        rows: list[IndexRow],
        matrix: np.ndarray,
        encoder: EncoderLike,
        hashes: dict[str, str],
        hnsw_min: int,
    ) -> FaqIndex:
        """An index just embedded by ``encoder``, stamped now."""
        return cls(
            rows,
            matrix,
            model_id=encoder.model_id,
            dim=encoder.dim,
            entry_hashes=hashes,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            hnsw_min=hnsw_min,
        )

    def entry_scores(
        self, query_vec: np.ndarray, entry_ids: Sequence[str], *, variant: str = "orig"
    ) -> dict[str, float]:
        """Exact best cosine of each given entry (for candidates found by another channel)."""
        picks = [
            i for e in dict.fromkeys(entry_ids) for i in self._rows_of_entry.get((e, variant), [])
        ]
        out: dict[str, float] = dict.fromkeys(entry_ids, 0.0)
        if picks:
            sims = self.vectors[picks] @ np.asarray(query_vec, np.float32).reshape(-1)
            for i, s in zip(picks, sims, strict=True):
                eid = self.rows[i].entry_id
                out[eid] = max(out[eid], float(s)) if out[eid] else float(s)
        return out

    def search(
        self, query_vec: np.ndarray, *, variant: str = "orig", top_k: int = 10
    ) -> list[tuple[str, float]]:
        """Best entries for one query vector (max over their phrasings), best first."""
        index = self._faiss[variant]
        if index.ntotal == 0:
            return []
        k = min(index.ntotal, top_k * 6)
        scores, ids = index.search(np.asarray(query_vec, np.float32).reshape(1, -1), k)
        best: dict[str, float] = {}
        for score, vid in zip(scores[0], ids[0], strict=True):
            if vid < 0:
                continue
            entry_id = self.rows[self._row_of[int(vid)]].entry_id
            if entry_id not in best:
                best[entry_id] = float(score)
        return sorted(best.items(), key=lambda kv: -kv[1])[:top_k]

    # -- persistence -------------------------------------------------------------------------

    def manifest(self) -> dict[str, object]:
        return {
            "format": _FORMAT,
            "model_id": self.model_id,
            "dim": self.dim,
            "corpus_hash": self.corpus_hash,
            "built_at": self.built_at,
            "vectors": len(self.rows),
            "entries": self.entry_hashes,
            "index_kind": {
                v: type(faiss.downcast_index(self._faiss[v].index)).__name__ for v in VARIANTS
            },
        }

    def save(self, index_dir: Path) -> Path:
        """Write a new version directory, then atomically point `current` at it."""
        index_dir = Path(index_dir)
        index_dir.mkdir(parents=True, exist_ok=True)
        stamp = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = index_dir / f".tmp-{stamp}"
        final = index_dir / stamp
        link = index_dir / f".current-{stamp}"
        try:
            tmp.mkdir()
            np.save(tmp / "vectors.npy", self.vectors)
            (tmp / "rows.json").write_text(
                json.dumps(
                    [[r.vid, r.entry_id, r.variant, r.text] for r in self.rows], ensure_ascii=False
                )
            )
            (tmp / "manifest.json").write_text(
                json.dumps(self.manifest(), ensure_ascii=False, indent=1)
            )
            tmp.rename(final)
            link.symlink_to(final.name)
            os.replace(link, index_dir / "current")
        except OSError:
            # disk full or read-only: leave no half-written version behind; `current` is intact
            link.unlink(missing_ok=True)
            for leftover in (tmp, final):
                shutil.rmtree(leftover, ignore_errors=True)
            raise
        for old in sorted(index_dir.glob("v-*"), key=lambda p: p.stat().st_mtime)[:-_KEEP_VERSIONS]:
            if old.name != final.name:
                shutil.rmtree(old, ignore_errors=True)
        return final

    @classmethod
    def load(cls, index_dir: Path, *, hnsw_min: int = 100_000) -> FaqIndex:
        """Load the `current` version; raises IndexStoreError if absent or unreadable."""
        current = Path(index_dir) / "current"
        try:
            manifest = json.loads((current / "manifest.json").read_text())
            if manifest.get("format") != _FORMAT:
                raise IndexStoreError(
                    f"{current}: index format {manifest.get('format')!r} is not "
                    f"{_FORMAT}; rebuild with `python -m tools.build_index`"
                )
            rows = [
                IndexRow(int(v), e, var, t)
                for v, e, var, t in json.loads((current / "rows.json").read_text())
            ]
            vectors = np.load(current / "vectors.npy")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexStoreError(
                f"{current}: cannot read the FAQ index ({exc}); "
                "rebuild with `python -m tools.build_index`"
            ) from exc
        return cls(
            rows,
            vectors,
            model_id=manifest["model_id"],
            dim=int(manifest["dim"]),
            entry_hashes=manifest["entries"],
            built_at=manifest["built_at"],
            hnsw_min=hnsw_min,
        )
