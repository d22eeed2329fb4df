"""Shared pieces of the evaluations: a memoising encoder and ranking metrics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from retrieval.index import EncoderLike

__all__ = ["MemoEncoder", "ranking_metrics"]


class MemoEncoder:
    """Wraps an encoder with a text → vector cache persisted as .npz (evaluation only)."""

    def __init__(self, encoder: EncoderLike, path: Path) -> None:
        self._encoder, self.path = encoder, path
        self.dim, self.model_id = encoder.dim, encoder.model_id
        self._memo: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path, allow_pickle=False) as data:
                self._memo = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))

    def encode(
        self, texts: Sequence[str], *, progress: bool = False, batch: int = 32
    ) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._memo))
        todo.sort(key=len)  # batches of similar length: little padding on long documents
        for start in tqdm(
            range(0, len(todo), batch),
            disable=not progress or not todo,
            desc=f"encoding {self.path.stem}",
            unit="batch",
        ):
            part = todo[start : start + batch]
            self._memo.update(zip(part, self._encoder.encode(part), strict=True))
            if progress and start // batch % 10 == 9:
                self.save()
        if todo:
            self.save()
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self._memo[t] for t in texts]).astype(np.float32)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            texts=np.array(list(self._memo), dtype=str),
            vectors=np.vstack(list(self._memo.values())),
        )
        tmp.replace(self.path)


def ranking_metrics(ranked: Sequence[Sequence[str]], gold: Sequence[set[str]]) -> dict[str, float]:
    """hit@1, hit@5 and MRR@10 of ranked ids against the gold id sets."""
    hit1 = hit5 = mrr = 0.0
    for ids, wanted in zip(ranked, gold, strict=True):
        rank = next((i for i, d in enumerate(ids[:10]) if d in wanted), None)
        if rank is not None:
            hit1 += rank == 0
            hit5 += rank < 5
            mrr += 1.0 / (rank + 1)
    n = max(len(gold), 1)
    return {"hit@1": round(hit1 / n, 4), "hit@5": round(hit5 / n, 4), "mrr@10": round(mrr / n, 4)}
