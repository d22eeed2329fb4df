"""FaqService: holds the current searcher snapshot, rebuilds it on corpus edits, swaps atomically.

A reload validates every file, re-embeds only entries whose phrasings changed, persists the new
index (atomic directory swap) and replaces the snapshot reference in one assignment, so a
request in flight keeps the snapshot it started with. A broken file is logged with `path:line`
and its previously valid entries keep serving.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from watchfiles import watch

from retrieval.corpus import Corpus, FaqEntry, LoadReport, load_corpus
from retrieval.decision import Decision, Thresholds, decide
from retrieval.errors import RetrievalError
from retrieval.index import EncoderLike, FaqIndex, IndexStoreError
from retrieval.search import FaqSearcher, SearchResult

__all__ = ["FaqAnswer", "FaqService"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaqAnswer:
    decision: Decision
    result: SearchResult
    entries: tuple[FaqEntry, ...]  # the answered entry, or the suggested ones, in order


class FaqService:
    """Search + decision over the live corpus; `start_watching()` enables hot reload."""

    def __init__(
        self,
        faq_dir: Path,
        encoder: EncoderLike,
        *,
        index_dir: Path | None = None,
        thresholds: Thresholds,
        abbreviations: Mapping[str, str] | None = None,
        strategy: str = "route",
        hnsw_min: int = 100_000,
        debounce_ms: int = 300,
    ) -> None:
        self.faq_dir = Path(faq_dir)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.encoder = encoder
        self.thresholds = thresholds
        self._abbreviations = dict(abbreviations or {})
        self._strategy = strategy
        self._hnsw_min = hnsw_min
        self._debounce_ms = debounce_ms
        self._reload_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._searcher: FaqSearcher | None = None
        self.last_report: LoadReport | None = None
        self.reloads = 0

    # -- lifecycle -----------------------------------------------------------------------------

    def load(self) -> LoadReport:
        """Build the first snapshot, reusing the persisted index's vectors where valid."""
        previous = None
        if self.index_dir is not None:
            try:
                previous = FaqIndex.load(self.index_dir, hnsw_min=self._hnsw_min)
            except IndexStoreError as exc:
                logger.info("no reusable FAQ index: %s", exc)
        return self._rebuild(previous_index=previous, previous_corpus=None)

    def reload(self) -> LoadReport:
        """Re-read the corpus and swap in a new snapshot (previous entries of broken files kept)."""
        current = self._searcher
        return self._rebuild(
            previous_index=current.index if current else None,
            previous_corpus=current.corpus if current else None,
        )

    def _rebuild(
        self, *, previous_index: FaqIndex | None, previous_corpus: Corpus | None
    ) -> LoadReport:
        with self._reload_lock:
            started = time.perf_counter()
            report = load_corpus(self.faq_dir, previous=previous_corpus)
            for warning in report.warnings:
                logger.warning("FAQ corpus: %s", warning)
            index = FaqIndex.build(
                report.corpus, self.encoder, previous=previous_index, hnsw_min=self._hnsw_min
            )
            if self.index_dir is not None and (
                previous_index is None or previous_index.corpus_hash != index.corpus_hash
            ):
                index.save(self.index_dir)
            self._searcher = FaqSearcher(
                report.corpus,
                index,
                self.encoder,
                abbreviations=self._abbreviations,
                strategy=self._strategy,
            )
            self.last_report = report
            self.reloads += 1
            logger.info(
                "FAQ snapshot: %d entries, %d vectors, %d file error(s), %.2f s",
                len(report.corpus.entries),
                len(index),
                len(report.errors),
                time.perf_counter() - started,
            )
            return report

    def start_watching(self) -> None:
        """Watch the FAQ directory in a daemon thread and reload on every change."""
        if self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, name="faq-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        for changes in watch(
            self.faq_dir,
            stop_event=self._stop,
            debounce=self._debounce_ms,
            step=50,
            watch_filter=lambda _c, p: p.endswith((".yml", ".yaml")),
            raise_interrupt=False,
        ):
            logger.info("FAQ files changed: %s", sorted({Path(p).name for _, p in changes}))
            try:
                self.reload()
            except RetrievalError as exc:
                logger.error("FAQ reload failed, previous snapshot keeps serving: %s", exc)

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    # -- queries -------------------------------------------------------------------------------

    @property
    def searcher(self) -> FaqSearcher:
        if self._searcher is None:
            raise RetrievalError("FaqService used before load(); call load() at start-up")
        return self._searcher

    @property
    def corpus(self) -> Corpus:
        return self.searcher.corpus

    def entry(self, faq_id: str, *, role: str = "citizen") -> FaqEntry | None:
        """The entry with this id if it exists and `role` may see it."""
        entry = self.searcher.corpus.by_id.get(faq_id)
        return entry if entry is not None and entry.visible_to(role) else None

    def ask(self, text: str, *, role: str = "citizen") -> FaqAnswer:
        """Search and decide; the snapshot is read once so a concurrent swap cannot mix them."""
        searcher = self.searcher
        result = searcher.search(text, role=role)
        decision = decide(result, self.thresholds)
        ids = (decision.faq_id,) if decision.faq_id else decision.suggestions
        by_id = searcher.corpus.by_id
        return FaqAnswer(decision, result, tuple(by_id[i] for i in ids if i in by_id))
