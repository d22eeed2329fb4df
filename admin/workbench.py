"""What the admin page works on: the editors' workspace, the draft and live retrievers, the inbox.

The encoder (e5, the retriever's own) is loaded on first use; the draft retriever follows the
draft folder (reloaded when a file changed, reusing unchanged vectors) and the live retriever
follows the published version, so the test pane shows both side by side.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from editorial.workspace import Workspace
from inbox.service import Inbox, Suggestion
from inbox.store import open_engine
from retrieval.corpus import corpus_files
from retrieval.decision import Thresholds
from retrieval.index import EncoderLike
from retrieval.service import FaqService
from settings.services import Settings
from vitext import load_abbreviations

__all__ = ["Workbench"]


def _load_encoder(settings: Settings) -> EncoderLike:
    from retrieval.encoder import load_encoder  # torch: imported only when first needed

    return load_encoder(settings.retrieval, models_dir=settings.paths.models_dir)


class Workbench:
    """Lazily built services of the admin page (thread-safe; handlers call it from threads)."""

    def __init__(
        self,
        settings: Settings,
        *,
        workspace: Workspace | None = None,
        encoder_factory: Callable[[Settings], EncoderLike] = _load_encoder,
    ) -> None:
        self.settings = settings
        self.workspace = workspace or Workspace.from_settings(settings)
        self.engine = open_engine(settings.stores.db_url)
        self._encoder_factory = encoder_factory
        self._lock = threading.RLock()
        self._encoder: EncoderLike | None = None
        self._draft: FaqService | None = None
        self._draft_stamp: tuple[tuple[str, int, int], ...] = ()
        self._live: FaqService | None = None
        self._live_number: int | None = None
        self._inbox: Inbox | None = None
        self._thresholds = Thresholds.load(settings.paths.faq_thresholds)
        self._abbreviations = load_abbreviations(settings.paths.abbreviations_path)
        self._index_root = settings.paths.var_dir / "admin_index"

    @property
    def draft_dir(self) -> Path:
        return self.workspace.draft_dir

    def encoder(self) -> EncoderLike:
        with self._lock:
            if self._encoder is None:
                self._encoder = self._encoder_factory(self.settings)
            return self._encoder

    def _new_service(self, folder: Path, name: str) -> FaqService:
        index_dir = self._index_root / name
        seed = self.settings.paths.faq_index_dir
        if not index_dir.exists() and seed.is_dir():  # reuse the vectors `make setup` built
            shutil.copytree(seed, index_dir, symlinks=True)
        service = FaqService(
            folder,
            self.encoder(),
            index_dir=index_dir,
            thresholds=self._thresholds,
            abbreviations=self._abbreviations,
            **self.settings.retrieval.search_options(),
            hnsw_min=self.settings.retrieval.faq_hnsw_min,
        )
        service.load()
        return service

    def draft(self) -> FaqService:
        """The retriever over the draft as saved now."""
        with self._lock:
            stamp = tuple(
                (p.name, p.stat().st_mtime_ns, p.stat().st_size)
                for p in corpus_files(self.draft_dir)
            )
            if self._draft is None:
                self._draft = self._new_service(self.draft_dir, "draft")
            elif stamp != self._draft_stamp:
                self._draft.reload()
            self._draft_stamp = stamp
            return self._draft

    def live(self) -> FaqService | None:
        """The retriever over the published version citizens get (None: nothing published)."""
        with self._lock:
            number = self.workspace.store.live_number()
            if number is None:
                return None
            if number != self._live_number or self._live is None:
                folder = self.workspace.materialize(number)
                if self._live is None:
                    self._live = self._new_service(folder, "live")
                else:
                    self._live.switch_to(folder, version=number)
                self._live_number = number
            return self._live

    def suggest(self, text: str) -> Suggestion | None:
        """The draft entry closest to ``text`` (what an inbox cluster may be accepted into)."""
        service = self.draft()
        hits = service.searcher.search(text, top_k=1).hits
        if not hits:
            return None
        entry = service.corpus.by_id[hits[0].faq_id]
        return Suggestion(entry.id, entry.questions[0], hits[0].dense)

    def inbox(self) -> Inbox:
        with self._lock:
            if self._inbox is None:
                admin = self.settings.admin
                self._inbox = Inbox(
                    self.engine,
                    self.encoder(),
                    suggest=self.suggest,
                    prepare=lambda text: self.draft().searcher.dense_query(text)[0],
                    cluster_min=admin.inbox_cluster_min,
                    ignore_min=admin.inbox_ignore_min,
                    window_days=admin.inbox_window_days,
                )
            return self._inbox

    def close(self) -> None:
        with self._lock:
            for service in (self._draft, self._live):
                if service is not None:
                    service.close()
