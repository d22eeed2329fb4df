"""Search channels (dense e5 over phrasings, dense over folded phrasings, BM25) and their fusion.

Strategies (measured in docs/retrieval.md):
- ``dense``: the query against the phrasings as written.
- ``rrf``: reciprocal-rank fusion of dense, folded dense (folded query vs folded phrasings), BM25.
- ``route`` (default): accented query → dense fused with a light (0.3) BM25 over folded
  syllables; unaccented query → diacritics restored (the corpus' vocabulary over a general
  one, retrieval.vocabulary), dense, fused with folded BM25 at ``unaccented_lexical_weight``
  (ASSISTANT_FAQ_UNACCENTED_LEXICAL_WEIGHT) and RRF k ``unaccented_rrf_k``.
  ``accented_lexical="accented"`` at weight 1 (BM25 over accented syllables: the accents tell
  `thẻ` from `thế`) is better on UIT-ViCoV19QA and the own set but lowered the whole
  pipeline's routing on the independent set's dev half (0.861 → 0.826 for accented
  questions), so it is an option, not the default.
  `has_diacritics(query)` decides the route.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.corpus import Corpus
from retrieval.index import EncoderLike, FaqIndex
from retrieval.lexical import LexicalIndex
from retrieval.restore import DiacriticRestorer, LanguageCounts
from retrieval.vocabulary import general_counts
from vitext import expand_abbreviations, fold, has_diacritics, nfc, read_telex

__all__ = [
    "STRATEGIES",
    "UNACCENTED_LEXICAL_WEIGHT",
    "FaqHit",
    "FaqSearcher",
    "SearchResult",
    "rrf",
]

STRATEGIES = ("dense", "rrf", "route")
_RRF_K = 60
# weight of the folded BM25 against the dense channel on the unaccented route (#13)
UNACCENTED_LEXICAL_WEIGHT = 1.0


@dataclass(frozen=True)
class FaqHit:
    faq_id: str
    domain: str
    score: float  # fused score, higher is better (ranking only; not calibrated)
    dense: float  # best cosine of the entry in the route's dense channel (calibrated on)
    lexical: float  # BM25 score, 0 when no query word matched


@dataclass(frozen=True)
class SearchResult:
    query: str
    route: str  # "accented" | "unaccented": which thresholds apply
    hits: tuple[FaqHit, ...]


def rrf(
    rankings: Mapping[str, list[str]], weights: Mapping[str, float], *, k: int = _RRF_K
) -> dict[str, float]:
    """Weighted reciprocal-rank fusion of ranked key lists."""
    fused: dict[str, float] = {}
    for channel, keys in rankings.items():
        w = weights.get(channel, 0.0)
        for rank, key in enumerate(keys):
            fused[key] = fused.get(key, 0.0) + w / (k + rank + 1)
    return fused


class FaqSearcher:
    """One immutable snapshot: corpus + vector index + BM25 index + the encoder."""

    def __init__(
        self,
        corpus: Corpus,
        index: FaqIndex,
        encoder: EncoderLike,
        *,
        abbreviations: Mapping[str, str] | None = None,
        strategy: str = "route",
        # UIT-ViCoV19QA val prefers "accented" at weight 1; the pipeline's dev half does not
        accented_lexical_weight: float = 0.3,
        accented_lexical: str = "folded",
        rrf_k: int = _RRF_K,
        # ASSISTANT_FAQ_UNACCENTED_LEXICAL_WEIGHT / _RRF_K (settings.services.retrieval)
        unaccented_lexical_weight: float = UNACCENTED_LEXICAL_WEIGHT,
        unaccented_rrf_k: int | None = None,  # None: rrf_k
        vocabulary: LanguageCounts | None = None,
        restore_min_posterior: float = 0.0,
    ) -> None:
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
        if accented_lexical not in ("folded", "accented"):
            raise ValueError(f"accented_lexical={accented_lexical!r}; use 'folded' or 'accented'")
        self.corpus, self.index, self.encoder = corpus, index, encoder
        self.strategy = strategy
        self._abbreviations = dict(abbreviations or {})
        self._lexical_weight = accented_lexical_weight
        self._rrf_k = rrf_k
        self._unaccented_lexical_weight = unaccented_lexical_weight
        self._unaccented_rrf_k = rrf_k if unaccented_rrf_k is None else unaccented_rrf_k
        texts: list[str] = []
        keys: list[str] = []
        for entry in corpus.entries:
            texts.extend(entry.questions)
            keys.extend([entry.id] * len(entry.questions))
        self.lexical = LexicalIndex(texts, keys, abbreviations=self._abbreviations)
        self.lexical_accented = (
            LexicalIndex(texts, keys, abbreviations=self._abbreviations, fold_accents=False)
            if accented_lexical == "accented"
            else self.lexical
        )
        # the corpus' words plus the project's other texts and a word list (retrieval.vocabulary)
        self.restorer = DiacriticRestorer.from_texts(
            [*texts, *(e.answer for e in corpus.entries)],
            background=general_counts() if vocabulary is None else vocabulary,
        )
        self._min_posterior = restore_min_posterior

    def with_unaccented_fusion(self, lexical_weight: float, rrf_k: int) -> FaqSearcher:
        """The same snapshot (shared indexes) fusing the unaccented route differently."""
        other = copy.copy(self)
        other._unaccented_lexical_weight, other._unaccented_rrf_k = lexical_weight, rrf_k
        return other

    def expand(self, query: str) -> str:
        """The query with abbreviations expanded (what the dense channel encodes)."""
        return expand_abbreviations(query, self._abbreviations) if self._abbreviations else query

    def dense_query(self, query: str, *, strategy: str | None = None) -> tuple[str, str]:
        """(text to encode, index variant) of the main dense channel for a query."""
        strategy = strategy or self.strategy
        query = nfc(query).strip()
        expanded = self.expand(query)
        if strategy == "rrf":
            return fold(expanded), "folded"
        # the route is decided on what the user typed: expansions add accents of their own
        if strategy == "route" and not has_diacritics(query):
            if self._min_posterior > 0:
                return self.restorer.restore_confident(
                    expanded, min_posterior=self._min_posterior
                ), "orig"
            return self.restorer.restore(expanded), "orig"
        return expanded, "orig"

    def _visible(self, pairs: list[tuple[str, float]], role: str) -> list[tuple[str, float]]:
        by_id = self.corpus.by_id
        return [(k, s) for k, s in pairs if k in by_id and by_id[k].visible_to(role)]

    def search(
        self, query: str, *, top_k: int = 5, role: str = "citizen", strategy: str | None = None
    ) -> SearchResult:
        """Rank entries for a query; entries not visible to `role` are never returned."""
        query = read_telex(nfc(query).strip())  # "giowf mowr cuwar" → "gio mo cua"
        strategy = strategy or self.strategy
        accented = has_diacritics(query)
        route = "accented" if accented else "unaccented"
        if not query or not self.corpus.entries:
            return SearchResult(query, route, ())
        depth = max(top_k * 4, 20)
        expanded = self.expand(query)
        channel = self.lexical_accented if accented and strategy == "route" else self.lexical
        lexical = self._visible(channel.search(query, top_k=depth), role)
        text, variant = self.dense_query(query, strategy=strategy)
        qvec = self.encoder.encode([text])[0]
        dense = self._visible(self.index.search(qvec, variant=variant, top_k=depth), role)
        rankings = {"dense": [k for k, _ in dense], "lexical": [k for k, _ in lexical]}
        if strategy == "dense":
            weights = {"dense": 1.0}
        elif strategy == "rrf":
            ovec = qvec if variant == "orig" else self.encoder.encode([expanded])[0]
            other = self._visible(self.index.search(ovec, variant="orig", top_k=depth), role)
            rankings["dense_orig"] = [k for k, _ in other]
            weights = {"dense": 1.0, "dense_orig": 1.0, "lexical": 1.0}
        elif accented:
            weights = {"dense": 1.0, "lexical": self._lexical_weight}
        else:
            weights = {"dense": 1.0, "lexical": self._unaccented_lexical_weight}
        k = self._unaccented_rrf_k if strategy == "route" and not accented else self._rrf_k
        fused = rrf(rankings, weights, k=k)
        ranked = sorted(fused, key=lambda k: -fused[k])[:top_k]
        dense_scores = dict(dense)
        missing = [k for k in ranked if k not in dense_scores]
        if missing:
            dense_scores.update(self.index.entry_scores(qvec, missing, variant=variant))
        lex_scores = dict(lexical)
        by_id = self.corpus.by_id
        hits = tuple(
            FaqHit(
                k,
                by_id[k].domain,
                fused[k],
                float(dense_scores.get(k, 0.0)),
                float(lex_scores.get(k, 0.0)),
            )
            for k in ranked
        )
        return SearchResult(query, route, hits)
