"""FaqService: holds the current searcher snapshot, rebuilds it on corpus edits, swaps atomically.

A reload validates every file, re-embeds only entries whose phrasings changed, persists the new
index (atomic directory swap) and replaces the snapshot reference in one assignment, so a
request in flight keeps the snapshot it started with. A broken file is logged with `path:line`
and its previously valid entries keep serving. A reload that fails as a whole (an OS error such
as a full disk while saving the index) keeps the previous snapshot serving, is reported by
:meth:`FaqService.status` (the action server's ``/health``) and does not stop the watcher: the
next edit is reloaded as usual.

Two ways to follow the corpus: :meth:`FaqService.start_watching` reloads on every saved edit of
``faq_dir`` (development mode); in production :mod:`editorial.live` runs a loop with
:meth:`FaqService.run_watcher` that follows the editors' published version and swaps to each
new version's folder with :meth:`FaqService.switch_to`, which refuses a version with any broken
file as a whole (the version serving stays).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

from watchfiles import watch

from retrieval.corpus import Corpus, CorpusError, FaqEntry, LoadReport, load_corpus
from retrieval.decision import Decision, Thresholds, decide
from retrieval.errors import ReloadError, RetrievalError
from retrieval.index import EncoderLike, FaqIndex, IndexStoreError
from retrieval.search import UNACCENTED_LEXICAL_WEIGHT, FaqSearcher, SearchResult

__all__ = ["FaqAnswer", "FaqService", "FaqStatus"]

logger = logging.getLogger(__name__)
_WATCH_RETRY_S = 1.0  # the watcher itself failed (folder gone, inotify limit): watch again after


class FaqStatus(TypedDict):
    """What ``/health`` shows of the FAQ service."""

    entries: int  # entries of the snapshot serving now
    serving_since: str | None  # when that snapshot was swapped in (UTC, ISO 8601)
    reloads: int  # snapshots built since start (the first load included)
    failed_reloads: int
    last_reload: str  # "ok" | "failed"
    last_reload_at: str | None
    last_error: str | None  # why the last reload failed (None when it succeeded)
    file_errors: int  # files refused by the last successful reload (their old entries kept)
    watching: bool  # the watcher (or version follower) thread is alive
    version: int | None  # published version serving (None: the folder itself, development mode)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class FaqAnswer:
    decision: Decision
    result: SearchResult
    entries: tuple[FaqEntry, ...]  # the answered entry, or the suggested ones, in order
    related: tuple[FaqEntry, ...] = ()  # close entries offered beside an answer


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
        unaccented_lexical_weight: float = UNACCENTED_LEXICAL_WEIGHT,
        unaccented_rrf_k: int | None = None,
        hnsw_min: int = 100_000,
        debounce_ms: int = 300,
    ) -> None:
        self.faq_dir = Path(faq_dir)
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.encoder = encoder
        self.thresholds = thresholds
        self._abbreviations = dict(abbreviations or {})
        self._strategy = strategy
        self._unaccented_lexical_weight = unaccented_lexical_weight
        self._unaccented_rrf_k = unaccented_rrf_k
        self._hnsw_min = hnsw_min
        self._debounce_ms = debounce_ms
        self._reload_lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._searcher: FaqSearcher | None = None
        self.last_report: LoadReport | None = None
        self.reloads = 0
        self.failed_reloads = 0
        self._serving_since: str | None = None
        self._last_at: str | None = None
        self._last_error: str | None = None
        self.version: int | None = None

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

    def switch_to(self, faq_dir: Path, *, version: int | None = None) -> LoadReport:
        """Serve another folder (a published version); any broken file refuses the whole switch."""
        current = self._searcher
        return self._rebuild(
            previous_index=current.index if current else None,
            previous_corpus=None,
            faq_dir=Path(faq_dir),
            version=version,
        )

    def _rebuild(
        self,
        *,
        previous_index: FaqIndex | None,
        previous_corpus: Corpus | None,
        faq_dir: Path | None = None,
        version: int | None = None,
    ) -> LoadReport:
        with self._reload_lock:
            try:
                report = self._build_and_swap(
                    previous_index, previous_corpus, faq_dir=faq_dir, version=version
                )
            except OSError as exc:
                error = (
                    f"FAQ reload failed ({exc}); the previous index keeps serving. Free disk "
                    f"space or fix permissions of {self.index_dir or self.faq_dir}, then edit "
                    "or touch an FAQ file to reload"
                )
                self._failed(error)
                raise ReloadError(error) from exc
            except RetrievalError as exc:
                self._failed(str(exc))
                raise
            self._last_at, self._last_error = _now(), None
            self._serving_since = self._last_at
            return report

    def _failed(self, error: str) -> None:
        self.failed_reloads += 1
        self._last_at, self._last_error = _now(), error

    def _build_and_swap(
        self,
        previous_index: FaqIndex | None,
        previous_corpus: Corpus | None,
        *,
        faq_dir: Path | None,
        version: int | None,
    ) -> LoadReport:
        started = time.perf_counter()
        report = load_corpus(faq_dir or self.faq_dir, previous=previous_corpus)
        if faq_dir is not None and report.errors:  # a version is served whole or not at all
            raise CorpusError(list(report.errors))
        for warning in report.warnings:
            logger.warning("FAQ corpus: %s", warning)
        index = FaqIndex.build(
            report.corpus, self.encoder, previous=previous_index, hnsw_min=self._hnsw_min
        )
        if self.index_dir is not None and (
            previous_index is None or previous_index.corpus_hash != index.corpus_hash
        ):
            index.save(self.index_dir)  # first: a failure here leaves the old snapshot serving
        self._searcher = FaqSearcher(
            report.corpus,
            index,
            self.encoder,
            abbreviations=self._abbreviations,
            strategy=self._strategy,
            unaccented_lexical_weight=self._unaccented_lexical_weight,
            unaccented_rrf_k=self._unaccented_rrf_k,
        )
        self.last_report = report
        if faq_dir is not None:
            self.faq_dir, self.version = faq_dir, version
        self.reloads += 1
        logger.info(
            "FAQ snapshot: %d entries, %d vectors, %d file error(s), %.2f s",
            len(report.corpus.entries),
            len(index),
            len(report.errors),
            time.perf_counter() - started,
        )
        return report

    def status(self) -> FaqStatus:
        """Snapshot serving now, last reload outcome, watcher alive (for ``/health``)."""
        searcher, report = self._searcher, self.last_report
        return {
            "entries": len(searcher.corpus.entries) if searcher else 0,
            "serving_since": self._serving_since,
            "reloads": self.reloads,
            "failed_reloads": self.failed_reloads,
            "last_reload": "failed" if self._last_error else "ok",
            "last_reload_at": self._last_at,
            "last_error": self._last_error,
            "file_errors": len(report.errors) if report else 0,
            "watching": self._watcher is not None and self._watcher.is_alive(),
            "version": self.version,
        }

    def start_watching(self) -> None:
        """Watch the FAQ directory in a daemon thread and reload on every change."""
        if self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, name="faq-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch_until_stopped()
            except OSError as exc:  # the folder vanished, inotify limits…: keep trying
                logger.error(
                    "FAQ watcher on %s failed (%s); watching again in %.0f s",
                    self.faq_dir,
                    exc,
                    _WATCH_RETRY_S,
                )
                self._stop.wait(_WATCH_RETRY_S)

    def _watch_until_stopped(self) -> None:
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

    def run_watcher(self, loop: Callable[[threading.Event], None], *, name: str) -> None:
        """Run ``loop(stop_event)`` in a daemon thread instead of the folder watcher.

        :mod:`editorial.live` follows the published version this way; ``/health`` reports the
        thread as ``watching`` and :meth:`close` stops it.
        """
        if self._watcher is not None:
            return
        self._watcher = threading.Thread(target=loop, args=(self._stop,), name=name, daemon=True)
        self._watcher.start()

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

    def ask(self, text: str, *, role: str = "citizen", second_opinion: bool = False) -> FaqAnswer:
        """Search and decide; the snapshot is read once so a concurrent swap cannot mix them.

        ``second_opinion``: the NLU said out of scope (or named no indicator); answer only on
        strong evidence, never suggest (``retrieval.decision``).
        """
        searcher = self.searcher
        result = searcher.search(text, role=role)
        decision = decide(result, self.thresholds, second_opinion=second_opinion)
        ids = (decision.faq_id,) if decision.faq_id else decision.suggestions
        by_id = searcher.corpus.by_id
        return FaqAnswer(
            decision,
            result,
            tuple(by_id[i] for i in ids if i in by_id),
            tuple(by_id[i] for i in decision.related if i in by_id),
        )
