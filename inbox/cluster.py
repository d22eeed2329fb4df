"""Greedy centroid clustering of L2-normalised e5 vectors (deterministic, no extra library).

Items are taken most-asked first; each joins the cluster whose centroid it is most similar to
when that cosine reaches the threshold, else it starts a new cluster. A second pass reassigns
every item to its best final centroid, so the result does not depend on arrival order alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["cluster_vectors", "max_similarity"]


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def cluster_vectors(
    vectors: np.ndarray, weights: Sequence[int], *, threshold: float
) -> list[list[int]]:
    """Clusters as lists of row indices (heaviest cluster first, heaviest row first inside)."""
    count = len(vectors)
    if count == 0:
        return []
    order = sorted(range(count), key=lambda i: -weights[i])
    sums: list[np.ndarray] = []
    for i in order:
        if sums:
            centroids = _normalise(np.stack(sums))
            sims = centroids @ vectors[i]
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                sums[best] = sums[best] + vectors[i] * weights[i]
                continue
        sums.append(vectors[i] * weights[i])
    centroids = _normalise(np.stack(sums))
    sims = vectors @ centroids.T
    members: dict[int, list[int]] = {}
    for i in order:
        members.setdefault(int(np.argmax(sims[i])), []).append(i)
    groups = list(members.values())
    groups.sort(key=lambda group: -sum(weights[i] for i in group))
    return groups


def max_similarity(vectors: np.ndarray, against: np.ndarray) -> np.ndarray:
    """For every row of ``vectors``, its best cosine with a row of ``against`` (0 when empty)."""
    if len(vectors) == 0 or len(against) == 0:
        return np.zeros(len(vectors), np.float32)
    return np.asarray((vectors @ against.T).max(axis=1), dtype=np.float32)
