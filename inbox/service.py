"""The inbox: declined, low-confidence and 👎 turns, redacted, per guessed domain, clustered.

Questions are embedded the way the retriever embeds a query (``prepare``: abbreviations
expanded, diacritics restored for "khong dau" text; then e5 with ``"query: "``), so "similar"
means what it means to the bot, and "mat the bhyt" meets "mất thẻ bảo hiểm y tế".

Editors settle a cluster with a decision (:data:`inbox.store.ACTIONS`): its turns leave the
inbox, and an *ignored* cluster keeps new
questions out too — a later question whose vector is close enough to an ignored one
(``ignore_min``) never reaches the inbox again. Accepted questions (new phrasings of an entry, or
a new entry) are answered once the draft is published; until then a repeat of the very same
question stays hidden as well.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np
from sqlalchemy import insert, or_, select
from sqlalchemy.engine import Engine

from analytics.schema import turns
from inbox import store
from inbox.cluster import cluster_vectors, max_similarity
from inbox.errors import InboxError, UnknownCluster
from inbox.feedback import apply_pending
from vitext import fold, nfc, redact_pii

__all__ = ["Cluster", "Inbox", "Question", "Suggestion"]

UNANSWERED = ("decline", "suggest")  # "suggest": the bot was not sure enough to answer
_CACHE_MAX = 20_000  # text -> vector, so repeated page views do not re-embed


class EncoderLike(Protocol):
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Question:
    text: str  # redacted, as first asked
    count: int


@dataclass(frozen=True)
class Suggestion:
    """The existing entry the retriever finds closest to the cluster (accept target)."""

    faq_id: str
    question: str  # the entry's first phrasing
    score: float  # dense cosine


@dataclass(frozen=True)
class Cluster:
    key: str  # stable while the cluster's most asked question stays the same
    domain: str | None  # guessed domain (None: none guessed)
    questions: tuple[Question, ...]  # distinct questions, most asked first
    count: int  # turns
    first_seen: datetime
    last_seen: datetime
    thumbs_down: int  # turns of the cluster with 👎
    turn_ids: tuple[str, ...] = field(repr=False)
    vectors: np.ndarray = field(repr=False, compare=False)
    suggestion: Suggestion | None = None

    @property
    def texts(self) -> list[str]:
        return [q.text for q in self.questions]


@dataclass
class _Text:
    text: str
    turn_ids: list[str]
    first: datetime
    last: datetime
    domain: str | None
    thumbs_down: int


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _key(domain: str | None, text: str) -> str:
    return hashlib.sha256(f"{domain or ''}\n{fold(text)}".encode()).hexdigest()[:16]


def _dedupe_key(text: str) -> str:
    return " ".join(fold(text).split())


class Inbox:
    """Unanswered questions of the last ``window_days`` days as clusters; editors' decisions."""

    def __init__(
        self,
        engine: Engine,
        encoder: EncoderLike,
        *,
        suggest: Callable[[str], Suggestion | None] | None = None,
        prepare: Callable[[str], str] | None = None,
        cluster_min: float = 0.91,
        ignore_min: float = 0.92,
        window_days: int = 90,
        max_turns: int = 5000,
    ) -> None:
        self.engine = engine
        self.encoder = encoder
        self.suggest = suggest
        self.prepare = prepare
        self.cluster_min = cluster_min
        self.ignore_min = ignore_min
        self.window_days = window_days
        self.max_turns = max_turns
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        store.metadata.create_all(engine)  # cheap when present; tests pass bare engines

    # -- embeddings ----------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts`` as the retriever embeds them (cached), float32, L2-normalised."""
        if self.prepare is not None:
            texts = [self.prepare(t) for t in texts]
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            fresh = self.encoder.encode(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > _CACHE_MAX:
                    self._cache.popitem(last=False)
        with self._lock:
            rows = [self._cache.get(t) for t in texts]
        if any(row is None for row in rows):  # evicted meanwhile by a huge batch
            return np.asarray(self.encoder.encode(list(texts)), np.float32)
        if not rows:
            return np.zeros((0, self.encoder.dim), np.float32)
        return np.stack([r for r in rows if r is not None]).astype(np.float32)

    # -- reading -------------------------------------------------------------------------------

    def _decided(self) -> tuple[set[str], set[str], np.ndarray]:
        """(settled turn ids, accepted question keys, ignored vectors)."""
        settled: set[str] = set()
        accepted: set[str] = set()
        ignored: list[np.ndarray] = []
        with self.engine.connect() as conn:
            for row in conn.execute(select(store.decisions)).mappings():
                settled.update(str(t) for t in row["turn_ids"] or ())
                if row["action"] == "ignore":
                    vectors = np.frombuffer(row["vectors"], dtype=np.float32)
                    ignored.append(vectors.reshape(-1, int(row["dim"])))
                else:
                    accepted.update(_dedupe_key(t) for t in row["texts"] or ())
        dim = self.encoder.dim
        stacked = np.concatenate(ignored) if ignored else np.zeros((0, dim), np.float32)
        return settled, accepted, stacked

    def _open_texts(self, now: datetime) -> dict[str, _Text]:
        since = now - timedelta(days=self.window_days)
        query = (
            select(
                turns.c.turn_id,
                turns.c.ts,
                turns.c.guessed_domain,
                turns.c.domain,
                turns.c.feedback,
                turns.c.text,
            )
            .where(
                turns.c.ts >= since,
                or_(turns.c.decision.in_(UNANSWERED), turns.c.feedback < 0),
            )
            .order_by(turns.c.ts.desc())
            .limit(self.max_turns)
        )
        with self.engine.connect() as conn:
            rows = list(conn.execute(query).mappings())
        found: dict[str, _Text] = {}
        for row in reversed(rows):  # oldest first: the first wording seen names the question
            text = redact_pii(nfc(str(row["text"] or ""))).strip()
            if not text or text.startswith("/"):  # button payloads are not questions
                continue
            ts = _aware(row["ts"])
            domain = row["guessed_domain"] or row["domain"]
            key = f"{domain or ''}\n{_dedupe_key(text)}"
            item = found.get(key)
            if item is None:
                item = found[key] = _Text(text, [], ts, ts, domain, 0)
            item.turn_ids.append(str(row["turn_id"]))
            item.first, item.last = min(item.first, ts), max(item.last, ts)
            item.thumbs_down += 1 if (row["feedback"] or 0) < 0 else 0
        return found

    def clusters(self, *, domain: str | None = None, now: datetime | None = None) -> list[Cluster]:
        """Open clusters, biggest first (``domain``: only that guessed domain)."""
        apply_pending(self.engine)
        now = now or datetime.now(UTC)
        settled, accepted, ignored = self._decided()
        items = []
        for item in self._open_texts(now).values():
            item.turn_ids = [t for t in item.turn_ids if t not in settled]
            if not item.turn_ids or _dedupe_key(item.text) in accepted:
                continue
            if domain is not None and item.domain != domain:
                continue
            items.append(item)
        if not items:
            return []
        vectors = self.embed([item.text for item in items])
        keep = max_similarity(vectors, ignored) < self.ignore_min
        items = [item for item, k in zip(items, keep, strict=True) if k]
        vectors = vectors[keep]
        by_domain: dict[str | None, list[int]] = {}
        for index, item in enumerate(items):
            by_domain.setdefault(item.domain, []).append(index)
        found: list[Cluster] = []
        for group_domain, indices in by_domain.items():
            weights = [len(items[i].turn_ids) for i in indices]
            for group in cluster_vectors(vectors[indices], weights, threshold=self.cluster_min):
                members = [items[indices[g]] for g in group]
                found.append(
                    self._cluster(group_domain, members, vectors[[indices[g] for g in group]])
                )
        found.sort(key=lambda c: (-c.count, -c.last_seen.timestamp()))
        return found

    def _cluster(self, domain: str | None, members: list[_Text], vectors: np.ndarray) -> Cluster:
        questions = tuple(Question(m.text, len(m.turn_ids)) for m in members)
        suggestion = self.suggest(members[0].text) if self.suggest else None
        return Cluster(
            key=_key(domain, members[0].text),
            domain=domain,
            questions=questions,
            count=sum(q.count for q in questions),
            first_seen=min(m.first for m in members),
            last_seen=max(m.last for m in members),
            thumbs_down=sum(m.thumbs_down for m in members),
            turn_ids=tuple(t for m in members for t in m.turn_ids),
            vectors=vectors,
            suggestion=suggestion,
        )

    def find(self, key: str, *, now: datetime | None = None) -> Cluster:
        """The open cluster with this key; :class:`UnknownCluster` when there is none."""
        for cluster in self.clusters(now=now):
            if cluster.key == key:
                return cluster
        raise UnknownCluster(
            f"no open cluster {key!r}: it was decided meanwhile or its questions changed; "
            "reload the inbox"
        )

    # -- deciding ------------------------------------------------------------------------------

    def decide(
        self,
        cluster: Cluster,
        action: str,
        *,
        author: str,
        faq_id: str | None = None,
        now: datetime | None = None,
    ) -> int:
        """Record the decision on ``cluster`` (its turns leave the inbox); returns its row id."""
        if action not in store.ACTIONS:
            raise InboxError(f"unknown action {action!r}; use one of {', '.join(store.ACTIONS)}")
        if action != "ignore" and not faq_id:
            raise InboxError(f"action {action!r} needs the entry id the questions went to")
        vectors = np.ascontiguousarray(cluster.vectors, dtype=np.float32)
        row: dict[str, Any] = {
            "ts": now or datetime.now(UTC),
            "author": author,
            "action": action,
            "domain": cluster.domain,
            "faq_id": faq_id if action != "ignore" else None,
            "texts": cluster.texts,
            "turn_ids": list(cluster.turn_ids),
            "vectors": vectors.tobytes(),
            "dim": int(vectors.shape[1]) if vectors.ndim == 2 else self.encoder.dim,
        }
        with self.engine.begin() as conn:
            result = conn.execute(insert(store.decisions).values(**row))
            key = result.inserted_primary_key
            return int(key[0]) if key else 0

    def decisions(self, *, limit: int = 100) -> list[dict[str, Any]]:
        """Latest decisions, newest first (for the audit view)."""
        query = (
            select(
                store.decisions.c.id,
                store.decisions.c.ts,
                store.decisions.c.author,
                store.decisions.c.action,
                store.decisions.c.domain,
                store.decisions.c.faq_id,
                store.decisions.c.texts,
            )
            .order_by(store.decisions.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]
