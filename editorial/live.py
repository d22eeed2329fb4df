"""The action server follows the published FAQ version: poll, unpack, swap, report.

Every ``ASSISTANT_FAQ_POLL_S`` seconds the follower reads the live version number from the
database (one indexed row); when it changed, it unpacks that version
(:meth:`Workspace.materialize`) and asks the FAQ service to switch to it — the new index is built
beside the old one (vectors of unchanged entries reused) and swapped in one assignment, so a turn
in flight finishes on the snapshot it started with. A version that fails to load (a broken file,
a full disk) is refused as a whole: the previous version keeps serving, the failure is reported,
and the same version is tried again after half a minute.

Each server reports what it serves to ``faq_servers`` (on every change and every few seconds), so
``faq publish`` can wait until every running action server has swapped and say how long it took.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path

from editorial.errors import EditorialError
from editorial.store import UNAVAILABLE, wrap_db_errors
from editorial.workspace import Workspace
from retrieval.errors import RetrievalError
from retrieval.service import FaqService

__all__ = ["HEARTBEAT_S", "LiveFollower", "server_id", "start_published"]

logger = logging.getLogger(__name__)
HEARTBEAT_S = 10.0  # report at least this often while nothing changes
_RETRY_FAILED_S = 30.0


def server_id() -> str:
    """``host:pid`` of this process (one row per running action server)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def start_published(workspace: Workspace, *, author: str = "system") -> tuple[int, Path]:
    """The live version and its unpacked folder (the draft becomes version 1 on a first start)."""
    try:
        live = workspace.ensure_live(author=author)
        return live.number, workspace.materialize(live.number)
    except UNAVAILABLE as exc:
        raise wrap_db_errors(exc, workspace.store.db_url) from exc


class LiveFollower:
    """The loop run in the FAQ service's watcher thread (:meth:`FaqService.run_watcher`)."""

    def __init__(
        self, service: FaqService, workspace: Workspace, *, poll_s: float, name: str | None = None
    ) -> None:
        self.service = service
        self.workspace = workspace
        self.poll_s = poll_s
        self.name = name or server_id()
        self._failed: dict[int, tuple[float, str]] = {}  # version -> (when, why)
        self._reported: tuple[object, ...] | None = None
        self._reported_at = 0.0
        self._db_down = False

    def start(self) -> None:
        """Follow in the service's watcher thread (stopped by ``service.close()``)."""
        self.service.run_watcher(self.loop, name="faq-follow")

    def loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.step()
            stop.wait(self.poll_s)
        # if this fails the row ages out: 'faq publish' only waits for servers seen recently
        with contextlib.suppress(*UNAVAILABLE):
            self.workspace.store.forget_server(self.name)

    def step(self) -> None:
        """One look at the live version: swap if it changed, then report."""
        try:
            live = self.workspace.store.live_number()
        except UNAVAILABLE as exc:
            if not self._db_down:
                logger.error("%s; the FAQ version serving stays", wrap_db_errors(exc, self.db_url))
            self._db_down = True
            return
        self._db_down = False
        if live is not None and live != self.service.version:
            self._swap(live)
        self._report(live)

    @property
    def db_url(self) -> str:
        return self.workspace.store.db_url

    def _swap(self, number: int) -> None:
        failed = self._failed.get(number)
        if failed is not None and time.monotonic() - failed[0] < _RETRY_FAILED_S:
            return
        started = time.perf_counter()
        self._say("swapping", number)
        try:
            folder = self.workspace.materialize(number)
            self.service.switch_to(folder, version=number)
        except (OSError, RetrievalError, EditorialError) as exc:
            self._failed[number] = (time.monotonic(), str(exc))
            logger.error(
                "FAQ version %d refused, version %s keeps serving: %s",
                number,
                self.service.version,
                exc,
            )
            return
        except UNAVAILABLE as exc:
            logger.error("%s; the FAQ version serving stays", wrap_db_errors(exc, self.db_url))
            return
        self._failed.pop(number, None)
        logger.info("FAQ version %d serving (swap %.2f s)", number, time.perf_counter() - started)

    def _say(self, status: str, wanted: int) -> None:
        """Report at once (before a swap that may take long: 'faq publish' keeps waiting)."""
        try:
            self.workspace.store.report_server(
                self.name, version=self.service.version, wanted=wanted, status=status, error=None
            )
        except UNAVAILABLE as exc:
            logger.warning("cannot report the FAQ version serving: %s", exc)
        self._reported = None  # the next look reports the outcome

    def _report(self, live: int | None) -> None:
        failed = self._failed.get(live) if live is not None else None
        state = (self.service.version, live, "failed" if failed else "ok", failed and failed[1])
        now = time.monotonic()
        if state == self._reported and now - self._reported_at < HEARTBEAT_S:
            return
        try:
            self.workspace.store.report_server(
                self.name,
                version=self.service.version,
                wanted=live,
                status=str(state[2]),
                error=failed[1][:2000] if failed else None,
            )
        except UNAVAILABLE as exc:
            logger.warning("cannot report the FAQ version serving: %s", exc)
            return
        self._reported, self._reported_at = state, now
