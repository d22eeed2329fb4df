"""BM25 over syllables (with abbreviations expanded) — the lexical channel.

Folded by default (`thẻ` = `the`, so unaccented queries match); ``fold_accents=False`` keeps the
accents (lower case only), which tells `thế`, `thể` and `thẻ` apart for accented queries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import bm25s
import numpy as np

from vitext import expand_abbreviations, fold, nfc

__all__ = ["LexicalIndex", "tokenize"]

_WORD_RE = re.compile(r"\w+")


def tokenize(
    text: str, abbreviations: Mapping[str, str] | None = None, *, fold_accents: bool = True
) -> list[str]:
    """Folded syllables: 'thẻ BHYT ở đâu' → ['the', 'bao', 'hiem', 'y', 'te', 'o', 'dau']
    (``fold_accents=False``: ['thẻ', 'bảo', 'hiểm', 'y', 'tế', 'ở', 'đâu'])."""
    text = nfc(text)
    if abbreviations:
        text = expand_abbreviations(text, dict(abbreviations))
    return _WORD_RE.findall(fold(text) if fold_accents else text.lower())


class LexicalIndex:
    """BM25 (bm25s, Lucene variant) over documents that each map to a key (an entry id)."""

    def __init__(
        self,
        texts: Sequence[str],
        keys: Sequence[str],
        *,
        abbreviations: Mapping[str, str] | None = None,
        k1: float = 1.2,
        b: float = 0.75,
        fold_accents: bool = True,
    ) -> None:
        if len(texts) != len(keys):
            raise ValueError(f"{len(texts)} texts but {len(keys)} keys; pass one key per text")
        self._abbreviations = dict(abbreviations or {})
        self._keys = list(keys)
        self._fold = fold_accents
        self._bm25 = bm25s.BM25(k1=k1, b=b)
        tokens = [tokenize(t, self._abbreviations, fold_accents=self._fold) or ["_"] for t in texts]
        if tokens:
            self._bm25.index(tokens, show_progress=False)

    def __len__(self) -> int:
        return len(self._keys)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when no query word is known)."""
        words = tokenize(query, self._abbreviations, fold_accents=self._fold)
        known = self._bm25.get_tokens_ids(words) if self._keys else []
        if not known:
            return np.zeros(len(self._keys), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def search(self, query: str, *, top_k: int = 10) -> list[tuple[str, float]]:
        """Best keys (max over their documents), best first; zero-score keys are left out."""
        scores = self.scores(query)
        best: dict[str, float] = {}
        for i in np.argsort(-scores)[: top_k * 8]:
            s = float(scores[i])
            if s <= 0:
                break
            key = self._keys[int(i)]
            if key not in best:
                best[key] = s
                if len(best) >= top_k:
                    break
        return list(best.items())
