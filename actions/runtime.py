"""The action server's process-wide services: built once, shared by every action, warm at start.

``python -m actions`` calls :func:`warm_up` before it serves, so ``/health`` answering means every
service of :data:`REGISTRY` is loaded; actions then only read them. A service that is read before
it was warmed up (another entry point) is built on that first use, once, whatever the thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from actions import identity
from actions.errors import MessagesError, WarmUpError
from actions.harm import HarmfulRequests, load_harmful_requests, load_personal_requests
from actions.identity import IdentityError
from actions.messages import FaqMessages, load_messages
from actions.scope import PlaceScope, load_place_scope
from editorial.errors import EditorialError
from editorial.live import LiveFollower, start_published
from editorial.workspace import Workspace
from ioc.errors import IndicatorError
from ioc.service import IocService
from retrieval.decision import Thresholds
from retrieval.errors import RetrievalError
from retrieval.service import FaqService
from settings.services import Settings, get_settings
from vitext import VitextError, load_abbreviations

__all__ = [
    "CLAIMS",
    "FAQ",
    "FAQ_MESSAGES",
    "HARM",
    "IOC",
    "IOC_TURNS",
    "PERSONAL",
    "PLACES",
    "REGISTRY",
    "Lazy",
    "build_faq_service",
    "build_ioc_service",
    "ioc_deadline",
    "resolve_role",
    "warm_up",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")
# what a service may raise while loading; anything else is a bug and keeps its traceback
_LOAD_ERRORS = (
    EditorialError,
    IdentityError,
    IndicatorError,
    MessagesError,
    OSError,
    RetrievalError,
    VitextError,
)


class Lazy(Generic[T]):
    """A process-wide value built on first use; threads asking meanwhile wait for that build."""

    def __init__(self, name: str, build: Callable[[], T]) -> None:
        self.name = name
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None

    @property
    def loaded(self) -> bool:
        """Whether the value has been built."""
        return self._value is not None

    def get(self) -> T:
        """The value, built now if this is the first use (a failed build is retried next time)."""
        value = self._value
        if value is None:
            with self._lock:
                value = self._value
                if value is None:
                    value = self._value = self._build()
        return value


def build_faq_service(settings: Settings) -> FaqService:
    """FAQ retrieval: encoder, index, thresholds, abbreviations; following the corpus.

    ``ASSISTANT_FAQ_SERVE=published`` (default): the last published version, followed in the
    database (:mod:`editorial.live`); ``draft`` (development): the draft folder, every saved edit.
    """
    from retrieval.encoder import load_encoder  # torch: imported only when the service is built

    paths, retrieval = settings.paths, settings.retrieval
    workspace, version, folder = None, None, paths.faq_dir
    if settings.editorial.faq_serve == "published":
        workspace = Workspace.from_settings(settings)
        version, folder = start_published(workspace)
    service = FaqService(
        folder,
        load_encoder(retrieval, models_dir=paths.models_dir),
        index_dir=paths.faq_index_dir,
        thresholds=Thresholds.load(paths.faq_thresholds),
        abbreviations=load_abbreviations(paths.abbreviations_path),
        **retrieval.search_options(),
        hnsw_min=retrieval.faq_hnsw_min,
    )
    service.load()
    if workspace is None:
        service.start_watching()
    else:
        service.version = version
        LiveFollower(service, workspace, poll_s=settings.editorial.faq_poll_s).start()
    return service


def build_ioc_service(settings: Settings) -> IocService:
    """IOC indicators: catalog, areas, parser, source and reply templates."""
    return IocService(settings.paths, settings.ioc, public_url=settings.web.public_url)


FAQ_MESSAGES = Lazy(
    "FAQ messages",
    lambda: load_messages(get_settings().paths.messages_dir / "faq.yml", FaqMessages),
)
IOC = Lazy("IOC service", lambda: build_ioc_service(get_settings()))
# small data file read on the first FAQ turn (not part of REGISTRY: nothing to warm up)
PLACES: Lazy[PlaceScope] = Lazy(
    "place lists", lambda: load_place_scope(get_settings().paths.places_path)
)
HARM: Lazy[HarmfulRequests] = Lazy(
    "harmful-request patterns", lambda: load_harmful_requests(get_settings().paths.harm_path)
)
PERSONAL: Lazy[HarmfulRequests] = Lazy(
    "personal-request patterns",
    lambda: load_personal_requests(get_settings().paths.personal_path),
)
FAQ = Lazy("FAQ service", lambda: build_faq_service(get_settings()))
CLAIMS = Lazy("claim verifier", lambda: identity.ClaimVerifier(get_settings().identity))
# warmed up in this order: quick checks of data files first, the slow encoder last
REGISTRY: tuple[Lazy[Any], ...] = (CLAIMS, FAQ_MESSAGES, IOC, FAQ)
# indicator turns run here, never in the default pool the FAQ turns use: a slow IOC source
# then holds at most these threads, each until the turn's deadline, and FAQ turns keep going
IOC_TURNS = Lazy(
    "IOC turn pool",
    lambda: ThreadPoolExecutor(get_settings().ioc.workers, thread_name_prefix="ioc-turn"),
)


def warm_up(registry: tuple[Lazy[Any], ...] = REGISTRY) -> None:
    """Build every service of ``registry``; raise WarmUpError naming the one that failed."""
    for service in registry:
        started = time.perf_counter()
        try:
            service.get()
        except _LOAD_ERRORS as exc:
            raise WarmUpError(f"cannot load the {service.name}:\n{exc}") from exc
        logger.info("%s ready in %.1f s", service.name, time.perf_counter() - started)


def ioc_deadline() -> float:
    """When an indicator turn starting now must have its figures (``time.monotonic()``)."""
    return time.monotonic() + get_settings().ioc.turn_deadline_s


def resolve_role(metadata: Mapping[str, Any], sender: object) -> identity.Role:
    """``staff`` only for a verified claim bound to the conversation ``sender``."""
    return CLAIMS.get().role(metadata, sender)
